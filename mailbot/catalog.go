package mailbot

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"mailbot/catalog"
	"mailbot/ticketing"
)

// Publisher keeps the published catalogs current: it rebuilds them at start, whenever the
// intake reports a product qualified or an integration completed (OnChange), and every
// [catalog] refresh for what the CLI changed; it writes them to out_dir and serves them on
// listen. A rebuild that changes nothing publishes nothing, so generated_at, ETags and files
// stay as they were.
type Publisher struct {
	cfg    *Config
	store  *ticketing.Store
	log    *slog.Logger
	now    func() time.Time
	kick   chan struct{}
	Server *catalog.Server

	mu   sync.Mutex
	sig  [32]byte
	last *catalog.Set
	addr string
}

// NewPublisher wires a publisher; now is the clock.
func NewPublisher(cfg *Config, store *ticketing.Store, log *slog.Logger, now func() time.Time) *Publisher {
	return &Publisher{cfg: cfg, store: store, log: log, now: now, kick: make(chan struct{}, 1), Server: catalog.NewServer(log)}
}

// Changed asks for a rebuild; it never blocks (it runs in the intake's commit path), and
// requests made while one is pending are merged.
func (p *Publisher) Changed(name string) {
	select {
	case p.kick <- struct{}{}:
		p.log.Debug("catalog changed", "catalog", name)
	default:
	}
}

// Addr is the address the server listens on, once Run has bound it ("" before, or when off).
func (p *Publisher) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// Current returns the catalogs last published, or nil.
func (p *Publisher) Current() *catalog.Set {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// Run publishes until ctx ends; the HTTP server, if any, shuts down with it.
func (p *Publisher) Run(ctx context.Context) {
	var serving sync.WaitGroup
	if p.cfg.Catalog.Listen != "" {
		ln, err := net.Listen("tcp", p.cfg.Catalog.Listen)
		if err != nil {
			// The files in out_dir are still kept current: log loudly, do not stop the daemon.
			p.log.Error("catalog server not started", "listen", p.cfg.Catalog.Listen, "err", err)
		} else {
			p.mu.Lock()
			p.addr = ln.Addr().String()
			p.mu.Unlock()
			p.log.Info("serving catalogs", "addr", p.addr)
			serving.Go(func() {
				if err := p.Server.Serve(ctx, ln); err != nil {
					p.log.Error("catalog server", "err", err)
				}
			})
		}
	}
	tick := time.NewTicker(p.cfg.Catalog.Refresh.Duration)
	defer tick.Stop()
	for {
		if err := p.Regenerate(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("catalogs not regenerated", "err", err)
		}
		select {
		case <-ctx.Done():
			serving.Wait()
			return
		case <-p.kick:
		case <-tick.C:
		}
	}
}

// Regenerate rebuilds the catalogs and publishes them if anything changed.
func (p *Publisher) Regenerate(ctx context.Context) error {
	set, err := catalog.Build(ctx, p.store, p.now(), p.cfg.Location())
	if err != nil {
		return err
	}
	sig := signature(set)
	p.mu.Lock()
	same := p.last != nil && sig == p.sig
	p.mu.Unlock()
	if same {
		return nil
	}
	if err := p.Server.Publish(set); err != nil {
		return err
	}
	if dir := p.cfg.Catalog.OutDir; dir != "" {
		files, err := set.Files(catalog.Formats)
		if err != nil {
			return err
		}
		if err := catalog.WriteDir(dir, files); err != nil {
			return fmt.Errorf("catalogs to %s: %w", dir, err)
		}
	}
	p.mu.Lock()
	p.sig, p.last = sig, set
	p.mu.Unlock()
	p.log.Info("catalogs published", "prodotti", len(set.Get(catalog.Prodotti).Entries),
		"processi", len(set.Get(catalog.Processi).Entries), "enti", len(set.Get(catalog.Enti).Entries))
	return nil
}

// signature is a hash of the catalogs' content without their generation time.
func signature(set *catalog.Set) [32]byte {
	h := sha256.New()
	for _, c := range set.Catalogs {
		h.Write(c.JSON(time.Time{}))
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
