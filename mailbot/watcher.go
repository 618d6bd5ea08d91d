package mailbot

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/ticketing"
)

// Watcher follows the INBOX of one mailbox over IMAP: it fetches every message newer than the
// last one recorded, hands each to intake in UID order, then waits with IDLE (or polls) for more.
// Mail is never deleted; a processed message gets a keyword or \Seen if configured.
type Watcher struct {
	cfg    MailboxConfig
	intake *Intake
	store  *ticketing.Store
	log    *slog.Logger
	max    int64

	// Timeout bounds every IMAP command; a server that stops answering is dropped and redialled.
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound the wait before reconnecting.
	MinBackoff, MaxBackoff time.Duration
	// Batch is how many messages are fetched at once.
	Batch int
	// GroupWait bounds how long a message already read waits for the rest of its group (see
	// minGroup): a slow document holds back the messages before it for no longer.
	GroupWait time.Duration
	// Health, if set, is told of the watcher's state and progress.
	Health *Health
	// idle reports each IDLE start, for tests that must not race a push.
	idleStarted func()
	// buf carries each fetched message to its file (see keep).
	buf []byte
}

// NewWatcher wires a watcher for one mailbox.
func NewWatcher(cfg MailboxConfig, intake *Intake, store *ticketing.Store, log *slog.Logger, maxSize int64) *Watcher {
	return &Watcher{cfg: cfg, intake: intake, store: store, log: log.With("mailbox", cfg.Name), max: maxSize,
		Timeout: 60 * time.Second, MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, Batch: 100,
		GroupWait: 250 * time.Millisecond}
}

// Run watches until ctx ends, reconnecting with backoff and jitter after any failure.
func (w *Watcher) Run(ctx context.Context) error {
	backoff := w.MinBackoff
	for {
		start := time.Now()
		err := w.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > 2*w.MaxBackoff {
			backoff = w.MinBackoff // it worked for a while: this is a new failure, not the same one
		}
		w.Health.failed(w.cfg.Name, err)
		wait := backoff + rand.N(backoff/2+1)
		w.log.Warn("imap session ended, reconnecting", "err", err, "retry_in", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		backoff = min(backoff*2, w.MaxBackoff)
	}
}

// session is one connection: login, select, catch up, then wait for news until it fails.
func (w *Watcher) session(ctx context.Context) error {
	w.Health.connecting(w.cfg.Name)
	news := make(chan struct{}, 1)
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{InsecureSkipVerify: w.cfg.InsecureTLS},
		Dialer:    &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// Runs on the reader goroutine: never block, never issue a command here.
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case news <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	c, err := w.connect(ctx, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	var sel *imap.SelectData
	if err := w.guard(c, func() (err error) { sel, err = c.Select("INBOX", nil).Wait(); return err }); err != nil {
		return fmt.Errorf("select INBOX: %w", err)
	}
	if sel.UIDNext == 0 && sel.NumMessages > 0 {
		// UIDNEXT is optional before IMAP4rev2: learn it from the newest message.
		if err := w.guard(c, func() error {
			msgs, err := c.Fetch(imap.SeqSetNum(sel.NumMessages), &imap.FetchOptions{UID: true}).Collect()
			if err == nil && len(msgs) == 1 {
				sel.UIDNext = msgs[0].UID + 1
			}
			return err
		}); err != nil {
			return fmt.Errorf("find UIDNEXT: %w", err)
		}
	}
	last, silentUpTo, err := w.position(ctx, sel)
	if err != nil {
		return err
	}
	w.log.Info("watching", "uidvalidity", sel.UIDValidity, "last_uid", last, "messages", sel.NumMessages)
	canIdle := c.Caps().Has(imap.CapIdle)
	for {
		if err := w.catchUp(ctx, c, sel.UIDValidity, &last, silentUpTo); err != nil {
			return err
		}
		if canIdle {
			err = w.idle(ctx, c, news)
		} else {
			err = w.poll(ctx, c, news)
		}
		if err != nil {
			return err
		}
	}
}

// connect dials the mailbox's server and logs in, with the password or an OAuth2 token.
func (w *Watcher) connect(ctx context.Context, opts *imapclient.Options) (*imapclient.Client, error) {
	if host, _, err := net.SplitHostPort(w.cfg.IMAPAddr); err == nil {
		opts.TLSConfig.ServerName = host
	}
	var c *imapclient.Client
	var err error
	switch w.cfg.TLS {
	case "tls":
		c, err = imapclient.DialTLS(w.cfg.IMAPAddr, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(w.cfg.IMAPAddr, opts)
	default:
		c, err = imapclient.DialInsecure(w.cfg.IMAPAddr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", w.cfg.IMAPAddr, err)
	}
	login := func() error { return c.Login(w.cfg.Username, w.cfg.Password).Wait() }
	if o := w.cfg.OAuth2; o != nil {
		// A token per session: a session that outlives its token is ended by the server
		// (Microsoft 365 does), and the next one logs in with a fresh token.
		tctx, cancel := context.WithTimeout(ctx, w.Timeout)
		tok, err := o.Token(tctx)
		cancel()
		if err != nil {
			c.Close()
			return nil, err
		}
		login = func() error { return c.Authenticate(o.saslClient(w.cfg.Username, tok)) }
	}
	if err := w.guard(c, login); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", w.cfg.Username, err)
	}
	return c, nil
}

// CheckMailbox logs in to a mailbox and opens its INBOX, as the watcher would, and reports how
// many messages it holds (mailbot config check -connect).
func CheckMailbox(ctx context.Context, m MailboxConfig) (uint32, error) {
	w := &Watcher{cfg: m, log: slog.New(slog.DiscardHandler), Timeout: 30 * time.Second}
	c, err := w.connect(ctx, &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: m.InsecureTLS},
		Dialer: &net.Dialer{Timeout: 30 * time.Second}})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	var sel *imap.SelectData
	if err := w.guard(c, func() (err error) { sel, err = c.Select("INBOX", nil).Wait(); return err }); err != nil {
		return 0, fmt.Errorf("select INBOX: %w", err)
	}
	w.guard(c, func() error { return c.Logout().Wait() })
	return sel.NumMessages, nil
}

// position decides where fetching starts: the stored last UID, or, on the very first start or
// after the server renumbered the mailbox (UIDVALIDITY changed), per first_start.
func (w *Watcher) position(ctx context.Context, sel *imap.SelectData) (last, silentUpTo uint32, err error) {
	var uv uint32
	var known bool
	err = w.store.Update(ctx, func(tx *ticketing.Tx) (err error) {
		uv, last, known, err = tx.MailboxState(w.cfg.Name)
		if err != nil || known {
			return err
		}
		if w.cfg.FirstStart == "skip" && sel.UIDNext > 0 {
			last = uint32(sel.UIDNext) - 1
		}
		uv = sel.UIDValidity
		return tx.SetMailboxState(w.cfg.Name, uv, last)
	})
	if err != nil {
		return 0, 0, err
	}
	if !known {
		w.log.Info("first start", "first_start", w.cfg.FirstStart, "skipped_up_to", last)
		if w.cfg.FirstStart == "import" && sel.UIDNext > 0 {
			silentUpTo = uint32(sel.UIDNext) - 1
		}
		return last, silentUpTo, nil
	}
	if uv != sel.UIDValidity {
		// Every UID is new: fetch all again. Messages already recorded are recognised by
		// Message-ID and content, so only mail never seen gets an answer.
		w.log.Warn("UIDVALIDITY changed, rescanning mailbox", "old", uv, "new", sel.UIDValidity)
		return 0, 0, nil
	}
	return last, 0, nil
}

// catchUp fetches and processes every message after *last, in UID order and in batches. The
// next batch is fetched, synced and read while the one before it is recorded: the IMAP
// exchange and the recording wait on different things (the server, the store), and the
// recording of a batch starts only once the one before it is recorded and marked.
func (w *Watcher) catchUp(ctx context.Context, c *imapclient.Client, uidValidity uint32, last *uint32, silentUpTo uint32) (err error) {
	var prog *catchUpProgress
	var listed []imap.UID // listed, not yet fetched, in UID order
	fetchedUpTo := *last
	var rec *recording // the batch being recorded, if any
	defer func() {
		if rec != nil { // never leave a recording behind: the next session starts from *last
			if _, rerr := rec.wait(); err == nil {
				err = rerr
			}
		}
	}()
	// recorded waits for the batch being recorded and counts it; left are the messages after it.
	recorded := func(left int) ([]imap.UID, error) {
		r := rec
		rec = nil
		done, err := r.wait()
		if err == nil {
			w.Health.fetched(w.cfg.Name, len(done), prog.advance(w.log, len(done), left))
		}
		return done, err
	}
	for {
		if len(listed) == 0 {
			err := w.guard(c, func() error {
				set := imap.UIDSet{imap.UIDRange{Start: imap.UID(fetchedUpTo + 1), Stop: 0}}
				msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true}).Collect()
				for _, m := range msgs {
					// "n:*" returns the last message even when it is older than n (rfc/3501:4270).
					if uint32(m.UID) > fetchedUpTo {
						listed = append(listed, m.UID)
					}
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("list new uids: %w", err)
			}
			slices.Sort(listed)
			waiting := len(listed)
			if rec != nil {
				waiting += len(rec.prepared)
			}
			w.Health.listed(w.cfg.Name, waiting)
			if len(listed) == 0 {
				if rec != nil {
					done, err := recorded(0)
					if err != nil {
						return err
					}
					if err := w.mark(c, done); err != nil {
						return err
					}
				}
				if prog != nil {
					w.Health.fetched(w.cfg.Name, 0, nil)
				}
				return nil
			}
			if prog == nil && waiting > w.Batch {
				prog = &catchUpProgress{start: time.Now(), logged: time.Now(), first: silentUpTo > 0}
			}
		}
		uids := listed[:min(w.Batch, len(listed))]
		listed = listed[len(uids):]
		next, err := w.fetchBatch(c, uidValidity, uids, silentUpTo)
		if err != nil {
			return err
		}
		fetchedUpTo = uint32(uids[len(uids)-1])
		if rec == nil {
			rec = w.record(ctx, next, last)
			continue
		}
		// The batch before is recorded first: this one follows it in UID order.
		done, err := recorded(len(listed) + len(next.prepared))
		if err != nil {
			return err
		}
		rec = w.record(ctx, next, last)
		if err := w.mark(c, done); err != nil { // while this batch is recorded
			return err
		}
	}
}

// catchUpProgress follows a long catch-up (thousands of messages on a first import, or after
// downtime) and logs it every few seconds: done/total, rate, time left.
type catchUpProgress struct {
	start, logged time.Time
	done          int
	first         bool // the first start's import
}

// advance counts n more messages done with left still waiting; nil-safe (no catch-up going on).
func (p *catchUpProgress) advance(log *slog.Logger, n, left int) *Progress {
	if p == nil {
		return nil
	}
	p.done += n
	now := time.Now()
	pr := &Progress{Done: p.done, Total: p.done + left, Started: p.start}
	if s := now.Sub(p.start).Seconds(); s > 0 {
		pr.Rate = float64(p.done) / s
	}
	if pr.Rate > 0 {
		pr.Left = time.Duration(float64(left) / pr.Rate * float64(time.Second)).Round(time.Second)
	}
	if now.Sub(p.logged) >= 5*time.Second || left == 0 {
		p.logged = now
		log.Info("catching up", "first_start", p.first, "done", pr.Done, "total", pr.Total,
			"rate_per_s", fmt.Sprintf("%.1f", pr.Rate), "left", pr.Left)
	}
	if left == 0 {
		return nil
	}
	return pr
}

// fetchBatch streams a batch of messages to disk and starts syncing them and reading them.
func (w *Watcher) fetchBatch(c *imapclient.Client, uidValidity uint32, uids []imap.UID, silentUpTo uint32) (*fetched, error) {
	batch, err := w.fetch(c, uidValidity, uids, silentUpTo)
	if err != nil {
		return nil, err
	}
	return w.start(batch), nil
}

// fetch streams a batch of messages to disk, unsynced, in UID order.
func (w *Watcher) fetch(c *imapclient.Client, uidValidity uint32, uids []imap.UID, silentUpTo uint32) ([]Incoming, error) {
	got := map[imap.UID]Incoming{}
	err := w.guardProgress(c, func(progress func()) error {
		cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
			UID: true, RFC822Size: true,
			BodySection: []*imap.FetchItemBodySection{{Peek: true}},
		})
		defer cmd.Close()
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			in, err := w.receive(msg, progress)
			if err != nil {
				return err
			}
			if in.UID != 0 && in.Blob != "" {
				got[imap.UID(in.UID)] = in
			}
		}
		return cmd.Close()
	})
	if err != nil {
		return nil, fmt.Errorf("fetch %d messages: %w", len(uids), err)
	}
	var batch []Incoming
	for _, uid := range uids {
		in, ok := got[uid]
		if !ok {
			// Expunged between the two fetches: nothing to record.
			w.log.Info("message vanished before fetch", "uid", uid)
			continue
		}
		in.Mailbox, in.UIDValidity = w.cfg.Name, uidValidity
		in.Silent = uint32(uid) <= silentUpTo
		batch = append(batch, in)
	}
	return batch, nil
}

// start starts syncing a fetched batch's files and reading its messages.
func (w *Watcher) start(batch []Incoming) *fetched {
	// Reading attachments is the costly part and needs no order: it runs on every core while
	// the batch's files reach the disk, and record takes the messages, in UID order, a group at
	// a time as they are ready.
	f := &fetched{prepared: make([]Prepared, len(batch)), ready: make([]chan struct{}, len(batch)), synced: make(chan error, 1)}
	go func() {
		sums := make([]string, len(batch))
		for i, in := range batch {
			sums[i] = in.Blob
		}
		f.synced <- w.store.SyncBlobs(sums) // before any transaction refers to them
	}()
	for i := range f.ready {
		f.ready[i] = make(chan struct{})
	}
	// As many goroutines as may prepare at once, each taking the next message: a goroutine's
	// stack grows through the reading of a message, once per goroutine, not once per message.
	sem := w.intake.preparing // shared by every watcher: costs do not add up per mailbox
	var next atomic.Int64
	for range min(cap(sem), len(batch)) {
		go func() {
			for i := int(next.Add(1)) - 1; i < len(batch); i = int(next.Add(1)) - 1 {
				sem <- struct{}{}
				f.prepared[i] = w.intake.Prepare(batch[i])
				close(f.ready[i])
				<-sem
			}
		}()
	}
	return f
}

// fetched is a batch on disk, being synced and read.
type fetched struct {
	prepared []Prepared
	ready    []chan struct{} // closed when prepared[i] is
	synced   chan error
}

// recording is a batch being recorded.
type recording struct {
	*fetched
	done chan struct{}
	uids []imap.UID // recorded
	err  error
}

func (r *recording) wait() ([]imap.UID, error) {
	<-r.done
	return r.uids, r.err
}

// record records a fetched batch, in UID order, as soon as its files are synced: messages in
// groups of minGroup (or the rest of the batch), each group once it and those before it are
// prepared or its first has waited GroupWait, with every message already prepared after it in
// the same transaction. *last follows what is recorded.
func (w *Watcher) record(ctx context.Context, f *fetched, last *uint32) *recording {
	r := &recording{fetched: f, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		if r.err = <-f.synced; r.err != nil {
			return
		}
		for i := 0; i < len(f.prepared); {
			<-f.ready[i]
			if rest := f.ready[min(len(f.prepared), i+minGroup)-1]; !isClosed(rest) {
				t := time.NewTimer(w.GroupWait)
				select {
				case <-rest:
				case <-t.C:
				}
				t.Stop()
			}
			// Record together every message already prepared after this one: one commit for all.
			j := i + 1
			for j < len(f.prepared) && j-i < maxGroup && isClosed(f.ready[j]) {
				j++
			}
			if r.err = w.intake.RecordBatch(ctx, f.prepared[i:j]); r.err != nil {
				return
			}
			for _, p := range f.prepared[i:j] {
				*last = p.m.UID
				r.uids = append(r.uids, imap.UID(p.m.UID))
			}
			i = j
		}
	}()
	return r
}

// maxGroup bounds how many messages share one transaction.
const maxGroup = 50

// minGroup is how many messages of a batch a transaction waits for. Each commit writes the pages
// it changed to the log again, so a letter recorded alone costs about five times what it costs
// in a group of 25 (BenchmarkRecordLetters), and the recorder, alone, otherwise keeps up with the
// readers one message at a time: 566 commits for a backlog of 2,001, 359 of them for a single
// message. Waiting costs no throughput, since the readers go on meanwhile, and no latency to a
// message arriving alone, which is a batch of one.
const minGroup = 25

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// receive streams one FETCH response into a blob, keeping only the head of an oversized message.
func (w *Watcher) receive(msg *imapclient.FetchMessageData, progress func()) (Incoming, error) {
	var in Incoming
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			in.UID = uint32(it.UID)
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				continue
			}
			in.Size = it.Literal.Size()
			lit := progressReader{it.Literal, progress}
			src := io.Reader(lit)
			if in.Size > w.max {
				in.Oversize = true
				src = io.LimitReader(lit, 64<<10) // enough for the header, to answer the sender
			}
			if w.buf == nil {
				w.buf = make([]byte, 256<<10)
			}
			var err error
			if in.Blob, err = w.keep(src, w.buf); err != nil {
				return in, fmt.Errorf("read uid %d: %w", in.UID, err)
			}
			if _, err := io.Copy(io.Discard, lit); err != nil {
				return in, fmt.Errorf("read uid %d: %w", in.UID, err)
			}
		}
	}
	return in, nil
}

// keep writes a fetched message to its file, unsynced (fetchBatch syncs the batch at once),
// and returns its hash. One that fits in buf, as a request does, is read whole first and stored
// at its address at once; a larger one is streamed to a temporary file, written a full buf at a
// time (io.Copy wrote what each read of the connection brought, through a new buffer each time).
func (w *Watcher) keep(src io.Reader, buf []byte) (string, error) {
	n, err := fill(src, buf)
	if err == io.EOF {
		return w.store.PutBlobUnsynced(buf[:n])
	}
	if err != nil {
		return "", err
	}
	b, err := w.store.NewBlob()
	if err != nil {
		return "", err
	}
	for err == nil {
		if _, err = b.Write(buf[:n]); err == nil {
			n, err = fill(src, buf)
		}
	}
	if err != io.EOF {
		b.Abort()
		return "", err
	}
	if _, err := b.Write(buf[:n]); err != nil {
		b.Abort()
		return "", err
	}
	return b.CommitUnsynced()
}

// fill reads src into buf until buf is full (err nil) or src ends (io.EOF), or fails.
func fill(src io.Reader, buf []byte) (n int, err error) {
	for n < len(buf) && err == nil {
		var k int
		k, err = src.Read(buf[n:])
		n += k
	}
	return n, err
}

// mark flags processed messages as configured, so people looking at the mailbox see what
// mailbot has handled. It is cosmetic: a failure is logged, never retried.
func (w *Watcher) mark(c *imapclient.Client, uids []imap.UID) error {
	if len(uids) == 0 || w.cfg.Mark == "none" {
		return nil
	}
	flag := imap.Flag(w.cfg.Keyword)
	if w.cfg.Mark == "seen" {
		flag = imap.FlagSeen
	}
	err := w.guard(c, func() error {
		return c.Store(imap.UIDSetNum(uids...), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{flag}}, nil).Close()
	})
	if err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) {
			w.log.Warn("cannot mark processed messages", "flag", flag, "err", err)
			return nil
		}
		return fmt.Errorf("mark processed: %w", err)
	}
	return nil
}

// idle waits with IDLE for news, restarting it periodically (servers drop idlers after 30
// minutes, rfc/2177:43) and checking the connection with NOOP in between.
func (w *Watcher) idle(ctx context.Context, c *imapclient.Client, news <-chan struct{}) error {
	var cmd *imapclient.IdleCommand
	if err := w.guard(c, func() (err error) { cmd, err = c.Idle(); return err }); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	if w.idleStarted != nil {
		w.idleStarted()
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	timer := time.NewTimer(w.cfg.IdleRestart.Duration)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-ended:
		return fmt.Errorf("idle ended by server: %w", err)
	case <-news:
	case <-timer.C:
	}
	if err := w.guard(c, func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return <-ended
	}); err != nil {
		return fmt.Errorf("end idle: %w", err)
	}
	return w.guard(c, func() error { return c.Noop().Wait() })
}

// poll is for servers without IDLE: NOOP every poll_interval, or sooner if the server tells.
func (w *Watcher) poll(ctx context.Context, c *imapclient.Client, news <-chan struct{}) error {
	timer := time.NewTimer(w.cfg.PollInterval.Duration)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-news:
	case <-timer.C:
	}
	return w.guard(c, func() error { return c.Noop().Wait() })
}

// guard runs an IMAP exchange, closing the connection if it takes longer than Timeout: a
// half-open TCP connection would otherwise block forever.
func (w *Watcher) guard(c *imapclient.Client, fn func() error) error {
	return w.guardProgress(c, func(func()) error { return fn() })
}

// guardProgress is guard for long transfers: each call of progress restarts the Timeout, so a
// slow but moving fetch of large messages is never cut, a silent one is.
func (w *Watcher) guardProgress(c *imapclient.Client, fn func(progress func()) error) error {
	t := time.AfterFunc(w.Timeout, func() {
		w.log.Warn("imap command timed out, dropping connection", "timeout", w.Timeout)
		c.Close()
	})
	defer t.Stop()
	err := fn(func() { t.Reset(w.Timeout) })
	if err == nil {
		w.Health.alive(w.cfg.Name)
	}
	return err
}

// progressReader reports every read, for guardProgress.
type progressReader struct {
	r        io.Reader
	progress func()
}

func (p progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.progress()
	}
	return n, err
}
