package parsers

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"os"
	"regexp"
	"testing"
)

// inflateBoth reads data with compress/flate and with pdfInflate, a few bytes at a time like
// the lexer's chunks or all at once.
func inflateBoth(data []byte, chunk int) (want, got []byte) {
	want, _ = io.ReadAll(flate.NewReader(bytes.NewReader(data)))
	var z pdfInflate
	z.reset(data)
	buf := make([]byte, chunk)
	for range 1 << 20 {
		n, err := z.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	return want, got
}

// inflateSeeds are deflate streams of every kind of block: stored, fixed, dynamic with short
// and long codes, long matches and runs, and a page's text.
func inflateSeeds(t testing.TB) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	var texts [][]byte
	texts = append(texts, []byte(""), []byte("a"), bytes.Repeat([]byte("ab"), 40000))
	prose := []byte("BT /F1 11.5 Tf [<01>2<0203>-4<04>]TJ ET q 0 0 0 rg 56.8 734.489 Td ")
	texts = append(texts, bytes.Repeat(prose, 300))
	noise := make([]byte, 70000)
	for i := range noise {
		noise[i] = byte(r.IntN(256))
	}
	texts = append(texts, noise)
	skewed := make([]byte, 50000)
	for i := range skewed {
		// Symbols of very different frequencies: codes longer than the first table's bits.
		skewed[i] = byte(min(r.ExpFloat64()*3, 255))
	}
	texts = append(texts, skewed)
	var out [][]byte
	for _, text := range texts {
		for _, level := range []int{flate.NoCompression, flate.BestSpeed, flate.DefaultCompression, flate.HuffmanOnly} {
			var b bytes.Buffer
			w, err := flate.NewWriter(&b, level)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(text)
			w.Close()
			out = append(out, b.Bytes())
		}
	}
	for _, s := range pdfSeedsOfFile(t) {
		out = append(out, s)
	}
	return out
}

// pdfSeedsOfFile is the letter's own streams, without their zlib header.
func pdfSeedsOfFile(t testing.TB) [][]byte {
	var out [][]byte
	data := testLetterPDF(t)
	for _, m := range regexp.MustCompile(`>>\s*stream\r?\n`).FindAllIndex(data, -1) {
		start := m[1]
		end := bytes.Index(data[start:], []byte("endstream"))
		if end > 2 {
			out = append(out, data[start+2:start+end])
		}
	}
	return out
}

func TestInflateAsFlate(t *testing.T) {
	for i, s := range inflateSeeds(t) {
		for _, chunk := range []int{1, 7, 4096, 1 << 16} {
			want, got := inflateBoth(s, chunk)
			if !bytes.Equal(got, want) {
				t.Fatalf("seed %d in chunks of %d: %d bytes, compress/flate %d", i, chunk, len(got), len(want))
			}
			// Cut anywhere, and damaged in one byte: the same bytes before the end.
			for _, cut := range []int{len(s) / 3, len(s) / 2, len(s) - 1} {
				if cut < 0 {
					continue
				}
				want, got := inflateBoth(s[:cut], chunk)
				if !bytes.Equal(got, want) {
					t.Fatalf("seed %d cut at %d: %d bytes, compress/flate %d", i, cut, len(got), len(want))
				}
				d := bytes.Clone(s)
				if cut < len(d) {
					d[cut] ^= 0x5a
				}
				want, got = inflateBoth(d, chunk)
				if !bytes.Equal(got, want) {
					t.Fatalf("seed %d damaged at %d: %d bytes, compress/flate %d", i, cut, len(got), len(want))
				}
			}
		}
	}
}

// FuzzInflateAsFlate checks that any bytes inflate to what compress/flate gives, up to where
// it stops.
func FuzzInflateAsFlate(f *testing.F) {
	for _, s := range inflateSeeds(f) {
		if len(s) < 4096 {
			f.Add(s)
		}
	}
	f.Add([]byte{0xff, 0xff})
	f.Add([]byte{0x04, 0xc0})
	f.Fuzz(func(t *testing.T, data []byte) {
		want, got := inflateBoth(data, 4096)
		if !bytes.Equal(got, want) {
			t.Fatalf("%x: %d bytes %x, compress/flate %d bytes %x", data, len(got), got[:min(len(got), 64)], len(want), want[:min(len(want), 64)])
		}
	})
}

func testLetterPDF(t testing.TB) []byte {
	data, err := os.ReadFile("../internal/loadreq/letter/lettera_trasmissione.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestInflateDamagedAsFlate damages the seeds at many places, and cuts them at many lengths.
func TestInflateDamagedAsFlate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i, s := range inflateSeeds(t) {
		if len(s) == 0 {
			continue
		}
		for range 200 {
			d := bytes.Clone(s)
			for range 1 + r.IntN(3) {
				d[r.IntN(len(d))] ^= byte(1 + r.IntN(255))
			}
			d = d[:len(d)-r.IntN(min(len(d), 8))]
			if want, got := inflateBoth(d, 4096); !bytes.Equal(got, want) {
				t.Fatalf("seed %d damaged %x: %d bytes, compress/flate %d", i, d[:min(len(d), 32)], len(got), len(want))
			}
		}
	}
}

func BenchmarkInflate(b *testing.B) {
	var streams [][]byte
	for _, s := range pdfSeedsOfFile(b) {
		if want, _ := inflateBoth(s, 4096); len(want) > 0 {
			streams = append(streams, s)
		}
	}
	buf := make([]byte, 16<<10)
	b.Run("flate", func(b *testing.B) {
		var src bytes.Reader
		fr := flate.NewReader(&src)
		for b.Loop() {
			for _, s := range streams {
				src.Reset(s)
				fr.(flate.Resetter).Reset(&src, nil)
				for {
					if _, err := fr.Read(buf); err != nil {
						break
					}
				}
			}
		}
	})
	b.Run("own", func(b *testing.B) {
		var z pdfInflate
		for b.Loop() {
			for _, s := range streams {
				z.reset(s)
				for {
					if _, err := z.Read(buf); err != nil {
						break
					}
				}
			}
		}
	})
}
