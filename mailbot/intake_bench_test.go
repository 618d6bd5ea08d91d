package mailbot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	loadreq "mailbot/internal/loadreq"
	"mailbot/templates"
	"mailbot/ticketing"
)

// Benchmarks of intake on a store holding 10,000 cases, as after a few years of requests:
//
//	go test ./mailbot -run '^$' -bench . -benchmem

const benchTickets = 10_000

// benchIntake returns an intake on a fresh store seeded with n tickets, each with its request
// (<req-i@comune.example.it>) and mailbot's acknowledgement (ackIDs[i]).
func benchIntake(b *testing.B, n int) (in *Intake, store *ticketing.Store, ackIDs []string) {
	b.Helper()
	cfg := &Config{DataDir: b.TempDir(), ReplyFrom: "Regione del Veneto - Integrazioni PagoPA <" + CallCenter + ">",
		Mailboxes: []MailboxConfig{{Name: "callcenter", Address: CallCenter, IMAPAddr: "127.0.0.1:1", TLS: "none",
			Username: CallCenter, Password: "x", FirstStart: "reply"}},
		SMTP:  SMTPConfig{Addr: "127.0.0.1:1", TLS: "none"},
		Staff: StaffConfig{Addresses: []string{"staff1@regione.veneto.it", "staff2@regione.veneto.it"}},
		// Every request comes from referente+N@ of one domain: lift the limits, so each is answered.
		RateLimit: RateLimitConfig{PerWindow: 1 << 30, PerDay: 1 << 30, PerHour: 1 << 30, PerDomainPerHour: 1 << 30}}
	if err := cfg.Complete(); err != nil {
		b.Fatal(err)
	}
	store, err := ticketing.Open(cfg.DataDir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	now := time.Now().Add(-24 * time.Hour)
	err = store.Update(context.Background(), func(tx *ticketing.Tx) error {
		for i := range n {
			from := fmt.Sprintf("referente+%d@comune.venezia.it", i)
			subject := fmt.Sprintf("Richiesta integrazione MyPay e MyPivot - Comune di Prova %d", i)
			tk, err := tx.NewTicket(ticketing.KindIntegration, subject, from, from, now, cfg.Location())
			if err != nil {
				return err
			}
			if err := tx.SetEnte(tk.ID, ticketing.Ente{Name: fmt.Sprintf("Comune di Prova %d", i), CodiceFiscale: loadreq.CFEnte(i),
				CodiceIPA: fmt.Sprintf("c_p%d", i)}, []string{"MyPay", "MyPivot"}, now); err != nil {
				return err
			}
			if _, err := tx.AddMessage(&ticketing.Message{TicketID: tk.ID, Direction: "in", MessageID: fmt.Sprintf("req-%d@comune.example.it", i),
				Digest: fmt.Sprintf("%064d", i), From: from, To: []string{CallCenter}, Subject: subject, Date: now, ReceivedAt: now}); err != nil {
				return err
			}
			ack := newMessageID(tk.ID, "regione.veneto.it")
			if _, err := tx.AddMessage(&ticketing.Message{TicketID: tk.ID, Direction: "out", MessageID: ack, Digest: "out",
				From: CallCenter, To: []string{from}, Subject: replySubject(subject, tk.ID), Date: now, ReceivedAt: now}); err != nil {
				return err
			}
			ackIDs = append(ackIDs, ack)
		}
		return tx.SetMailboxState("callcenter", 1, 0)
	})
	if err != nil {
		b.Fatal(err)
	}
	in = NewIntake(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, nil)
	return in, store, ackIDs
}

// BenchmarkRecordFollowUp is the ticket match: a referent answers the acknowledgement of one of
// 10,000 cases without the [ID] tag in the subject, so intake finds the case by In-Reply-To and
// References, records the message and notifies staff, in one transaction.
func BenchmarkRecordFollowUp(b *testing.B) {
	in, store, acks := benchIntake(b, benchTickets)
	ctx := context.Background()
	uid := uint32(0)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		uid++
		k := rand.IntN(len(acks))
		raw := loadreq.Compose(loadreq.Mail{From: fmt.Sprintf("referente+%d@comune.venezia.it", k),
			MessageID: fmt.Sprintf("followup-%d-%d@comune.example.it", uid, time.Now().UnixNano()),
			Subject:   fmt.Sprintf("R: Richiesta integrazione MyPay e MyPivot - Comune di Prova %d", k), Date: time.Now(),
			InReplyTo: acks[k], References: []string{fmt.Sprintf("req-%d@comune.example.it", k), acks[k]},
			Text: "Buongiorno,\r\n\r\nquando potremo avere le credenziali di collaudo?\r\n\r\nGrazie\r\n", NoLogo: true})
		sum, err := store.PutBlob(raw)
		if err != nil {
			b.Fatal(err)
		}
		p := in.Prepare(Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uid, Blob: sum, Size: int64(len(raw))})
		b.StartTimer()
		if err := in.Record(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if tk, err := store.Tickets(ctx); err != nil || len(tk) != benchTickets {
		b.Fatalf("%d tickets (%v), want %d: a follow-up opened a case", len(tk), err, benchTickets)
	}
}

// BenchmarkIntakeRequest is intake end to end for one new ~87 KB request with both forms as PDF
// (its blob already written, as the watcher leaves it): Prepare (header, MIME walk, forms) then
// Record (threading, dedupe, ente match, new ticket, forms, state, reply and staff notice
// rendered and queued, position advanced).
func BenchmarkIntakeRequest(b *testing.B) {
	in, store, _ := benchIntake(b, benchTickets)
	ctx := context.Background()
	uid := uint32(0)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		uid++
		i := benchTickets + int(uid)
		raw, err := loadreq.New(i, fmt.Sprintf("referente+%d@comune.venezia.it", i), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		sum, err := store.PutBlob(raw)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		p := in.Prepare(Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uid, Blob: sum, Size: int64(len(raw))})
		if err := in.Record(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if due, err := store.DueMail(ctx, time.Now().Add(time.Hour), 1<<30); err != nil || len(due) < int(uid) {
		b.Fatalf("%d mails queued for %d requests (%v)", len(due), uid, err)
	}
}

// BenchmarkRenderAck renders the acknowledgement of a complete request as the outbox keeps it.
func BenchmarkRenderAck(b *testing.B) {
	body, err := templates.Render("ack", replyData{TicketID: "INT-2026-00042", Name: "Maria Bianchi",
		Subject: "Richiesta integrazione MyPay e MyPivot", Received: "26/11/2026 09:12", NextStep: nextTestSetup,
		State: "in attesa di documenti", Attachments: []string{"informativa_generale.pdf", "qualificazione_ente_prodotto.pdf"}})
	if err != nil {
		b.Fatal(err)
	}
	o := outgoing{TicketID: "INT-2026-00042", Kind: "ack", To: []string{"referente@comune.venezia.it"},
		Subject: "Re: Richiesta integrazione MyPay e MyPivot [INT-2026-00042]", Body: body,
		InReplyTo: "req-42@comune.example.it", Auto: true}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(o, "Regione del Veneto - Integrazioni PagoPA <"+CallCenter+">", "int-2026-00042.abc@regione.veneto.it", now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordLetters is the watcher's recording of a backlog (issue 17's letter workload):
// groups of 1, minGroup and maxGroup new requests, each the Informativa Generale typed in the
// body and a printed cover letter, already prepared, recorded in one transaction (RecordBatch)
// on a store of 10,000 cases: new ticket, forms, the reply with the missing blank form queued
// (no staff notice: the case is not flagged since 2a4fe69). Reported per message; cpu-ns/msg
// is the process's CPU time (every thread) per message.
func BenchmarkRecordLetters(b *testing.B) {
	for _, group := range []int{1, minGroup, maxGroup} {
		b.Run(fmt.Sprint(group), func(b *testing.B) { benchRecordLetters(b, group) })
	}
}

func benchRecordLetters(b *testing.B, group int) {
	in, store, _ := benchIntake(b, benchTickets)
	ctx := context.Background()
	uid := uint32(0)
	var cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batch := make([]Prepared, group)
		for k := range batch {
			uid++
			i := benchTickets + int(uid)
			raw := loadreq.Letter(i, fmt.Sprintf("referente+%d@comune.venezia.it", i), time.Now())
			sum, err := store.PutBlob(raw)
			if err != nil {
				b.Fatal(err)
			}
			batch[k] = in.Prepare(Incoming{Mailbox: "callcenter", UIDValidity: 1, UID: uid, Blob: sum, Size: int64(len(raw))})
		}
		start := processCPU()
		b.StartTimer()
		if err := in.RecordBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += processCPU() - start
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N * group)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/msg")
	b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/msg")
	if due, err := store.DueMail(ctx, time.Now().Add(time.Hour), 1<<30); err != nil || len(due) != int(uid) {
		b.Fatalf("%d mails queued for %d requests (%v), want one each", len(due), uid, err)
	}
}

// processCPU is the CPU time of this process so far (user and system, every thread).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
