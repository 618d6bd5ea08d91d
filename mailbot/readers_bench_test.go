package mailbot

import (
	"testing"
	"time"

	"mailbot/internal/loadreq"
	"mailbot/parsers"
)

// BenchmarkReadDocument reads the typical request's Informativa (a filled PDF form of ~40 KB)
// and the letter workload's printed letter (39 KB) in this process and in a worker. cpu-ms/doc counts this process's CPU time and, for the
// worker, the workers' (their start spread over the documents each reads): the difference is
// what the isolation costs (issue 19: at most 0.2 ms).
func BenchmarkReadDocument(b *testing.B) {
	informativa, _, err := loadreq.Forms(1)
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, name string, doc []byte, rd parsers.DocumentReader, workers func() time.Duration) {
		b.ReportAllocs()
		read := func() {
			if _, err := rd.ReadDocument(name, "application/pdf", doc, parsers.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
		read() // a worker started, the reader warm
		self, others := selfCPU(), workers()
		b.ResetTimer()
		for b.Loop() {
			read()
		}
		self, others = selfCPU()-self, workers()-others
		perDoc := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
		b.ReportMetric(perDoc(self+others), "cpu-ms/doc")
		b.ReportMetric(perDoc(others), "worker-cpu-ms/doc")
	}
	for _, d := range []struct {
		name string
		data []byte
	}{{"informativa.pdf", informativa}, {"lettera_trasmissione.pdf", loadreq.LetterPDF}} {
		b.Run(d.name+"/in-process", func(b *testing.B) {
			run(b, d.name, d.data, parsers.InProcess, func() time.Duration { return 0 })
		})
		b.Run(d.name+"/worker", func(b *testing.B) {
			p := NewReaderPool(nil)
			defer p.Close()
			// One long message: the budget must not stop the benchmark.
			run(b, d.name, d.data, p.Message(Budget{CPU: time.Hour, Documents: 1 << 30}), func() time.Duration { return p.Stats().CPU })
		})
	}
}
