package parsers

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbot/internal/bombs"
)

// peakHeap runs f and returns the most heap its objects took meanwhile above what they took
// before, sampled every millisecond (live objects and garbage not yet collected: what the
// process must hold).
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak uint64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if h := read(); h > peak {
				peak = h
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	if h := read(); h > peak {
		peak = h
	}
	if peak < base {
		return 0
	}
	return peak - base
}

// TestPDFBombs: issue 11's PDFs. A content stream that inflates to 1 GiB (4 MB file: 1.5 to
// 3.2 GB before) and 500 pages sharing one 64 MiB stream (read again for each page, long after
// the timeout, before) are refused by the reader itself, within the inflate budget, in a few
// tens of megabytes.
func TestPDFBombs(t *testing.T) {
	cases := []struct {
		name string
		data []byte
	}{
		{"content stream inflating to 1 GiB", bombs.InflatePDF(1 << 30)},
		{"500 pages sharing one 64 MiB stream", bombs.SharedStreamPDF(500, 64<<20)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			peak := peakHeap(func() { _, err = pdfRead(context.Background(), "bomba.pdf", c.data, Limits{}) })
			var de *DocumentError
			if !errors.As(err, &de) || !errors.Is(err, ErrLimit) || de.Key != reasonTooBig {
				t.Fatalf("err %v, want ErrLimit (too big)", err)
			}
			t.Logf("%d KB file: %v; peak heap %d MB", len(c.data)>>10, err, peak>>20)
			if peak > 64<<20 {
				t.Errorf("peak heap %d MB, want at most 64 MB", peak>>20)
			}
		})
	}
}

// TestPDFDeadline: with a budget that lets the whole 1 GiB through, the deadline stops the
// reader itself (not only ReadDocument's wait for it).
func TestPDFDeadline(t *testing.T) {
	data := bombs.InflatePDF(1 << 30)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := pdfRead(ctx, "bomba.pdf", data, Limits{MaxDecompressedBytes: 2 << 30})
	var de *DocumentError
	if !errors.As(err, &de) || !errors.Is(err, ErrLimit) || de.Key != reasonTooSlow {
		t.Fatalf("err %v, want ErrLimit (too slow)", err)
	}
}

// TestPDFPrescan: numbers the object reader would trust to size its tables are refused before
// it runs.
func TestPDFPrescan(t *testing.T) {
	ok := buildPDF([]string{"Esiti collaudo", "Esito: positivo"}, nil)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"trailer /Size", []byte(strings.Replace(string(ok), "/Size 6", "/Size 900000000", 1))},
		{"xref subsection", []byte(strings.Replace(string(ok), "xref\n0 6", "xref\n800000000 6", 1))},
		{"xref stream /Index", []byte(strings.Replace(string(ok), "/Root 1 0 R", "/Root 1 0 R /Index [0 6 700000000 2]", 1))},
		{"object stream /N", []byte(strings.Replace(string(ok), "/Type /Pages", "/Type /Pages /N 123456789012345678901234", 1))},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := pdfRead(context.Background(), "x.pdf", c.data, Limits{}); !errors.Is(err, ErrLimit) {
				t.Errorf("err %v, want ErrLimit", err)
			}
		})
	}
	if items, err := pdfRead(context.Background(), "x.pdf", ok, Limits{}); err != nil || len(items) == 0 {
		t.Errorf("the untouched PDF: %v, %d items", err, len(items))
	}
}
