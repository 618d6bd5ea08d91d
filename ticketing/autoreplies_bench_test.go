package ticketing

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkAutoReplyCaps is what the caps cost automatic replies in a backlog from one domain
// (the caps raised, as for the load test): for each reply the per-recipient window and day, the
// hour overall and of the domain counted, then the reply added, after `sent` replies to that
// domain in the last hour; 50 replies a transaction, as intake records a backlog. Reported per
// reply; cpu-ns/reply is the process's CPU time (every thread).
//
//	go test ./ticketing -run '^$' -bench AutoReplyCaps -benchmem
func BenchmarkAutoReplyCaps(b *testing.B) {
	const group = 50
	for _, sent := range []int{100, 2_000, 10_000} {
		b.Run(fmt.Sprintf("sent=%d", sent), func(b *testing.B) {
			s, err := Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			now := time.Now().Add(-30 * time.Minute)
			reply := func(tx *Tx, i int) error {
				r := AutoReply{Rcpt: "referente@comune.venezia.it", SenderDomain: "comune.venezia.it", RcptDomain: "comune.venezia.it",
					At: now.Add(time.Duration(i) * time.Millisecond)}
				return tx.AddAutoReply(r)
			}
			if err := s.Update(ctx, func(tx *Tx) error {
				for i := range sent {
					if err := reply(tx, i); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			i := sent
			cpu := processCPU()
			b.ReportAllocs()
			for b.Loop() {
				err := s.Update(ctx, func(tx *Tx) error {
					for range group {
						at := now.Add(time.Duration(i) * time.Millisecond)
						for _, since := range []time.Time{at.Add(-10 * time.Minute), at.Add(-24 * time.Hour)} {
							if _, err := tx.AutoRepliesSince("referente@comune.venezia.it", since); err != nil {
								return err
							}
						}
						if _, err := tx.AutoRepliesTotalSince(at.Add(-time.Hour)); err != nil {
							return err
						}
						if _, err := tx.AutoRepliesDomainSince("comune.venezia.it", at.Add(-time.Hour)); err != nil {
							return err
						}
						if err := reply(tx, i); err != nil {
							return err
						}
						i++
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*group), "ns/reply")
			b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N*group), "cpu-ns/reply")
		})
	}
}
