package mailbot

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	loadreq "mailbot/internal/loadreq"
	"mailbot/ticketing"
)

// BenchmarkSenderFlush is the outbox's sending side of a backlog (issue 17's letter workload):
// one Flush of 100 due mails, the replies to 100 letter requests on a store of 10,000 cases, over one SMTP session to an in-process server that reads and discards them.
// Queuing the mails is not timed. Reported per mail; cpu-ns/mail is the process's CPU time
// (every thread, the server's included) and allocs/op are a flush's (the server's included).
//
//	go test ./mailbot -run '^$' -bench SenderFlush -benchmem -benchtime 20x
func BenchmarkSenderFlush(b *testing.B) {
	const group = 100
	in, store, _ := benchIntake(b, benchTickets)
	in.cfg.SMTP.Addr = discardSMTP(b)
	ctx := context.Background()
	batch := make([]Prepared, group)
	for k := range batch {
		i := benchTickets + k
		raw := loadreq.Letter(i, fmt.Sprintf("referente+%d@comune.venezia.it", i), time.Now())
		sum, err := store.PutBlob(raw)
		if err != nil {
			b.Fatal(err)
		}
		batch[k] = in.Prepare(Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uint32(k + 1), Blob: sum, Size: int64(len(raw))})
	}
	if err := in.RecordBatch(ctx, batch); err != nil {
		b.Fatal(err)
	}
	mails, err := store.DueMail(ctx, time.Now().Add(time.Hour), 1<<30)
	if err != nil || len(mails) != group {
		b.Fatalf("%d mails queued for %d requests (%v)", len(mails), group, err)
	}
	s := NewSender(in.cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err := s.Flush(ctx); err != nil { // the recorded mails themselves
		b.Fatal(err)
	}
	round := 0
	var cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		round++
		now := time.Now()
		if err := store.Update(ctx, func(tx *ticketing.Tx) error {
			for _, m := range mails {
				m.MessageID = fmt.Sprintf("%d.%s", round, m.MessageID)
				if err := tx.Enqueue(&m, now); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		start := processCPU()
		b.StartTimer()
		if err := s.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += processCPU() - start
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N * len(mails))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/mail")
	b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/mail")
	if due, err := store.DueMail(ctx, time.Now().Add(time.Hour), 1); err != nil || len(due) != 0 {
		b.Fatalf("%d mails left after a flush (%v)", len(due), err)
	}
}

// discardSMTP starts an SMTP server that accepts every mail and drops it, and returns its
// address.
func discardSMTP(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := gosmtp.NewServer(discardBackend{})
	srv.Domain, srv.ErrorLog = "localhost", log.New(io.Discard, "", 0)
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type discardBackend struct{}

func (discardBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return discardBackend{}, nil }
func (discardBackend) Mail(string, *gosmtp.MailOptions) error          { return nil }
func (discardBackend) Rcpt(string, *gosmtp.RcptOptions) error          { return nil }
func (discardBackend) Reset()                                          {}
func (discardBackend) Logout() error                                   { return nil }
func (discardBackend) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
