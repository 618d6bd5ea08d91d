package formgen

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
)

// zipEntry is one file of a zip package, written in the order given.
type zipEntry struct {
	Name string
	Data []byte
}

// zipDate is the fixed DOS date of every entry (2025-01-01 00:00): a real time would make every
// regeneration differ.
const zipDate = (2025-1980)<<9 | 1<<5 | 1

// writeZip writes entries stored (uncompressed) with fixed dates and no extra fields or data
// descriptors. Stored entries keep the bytes independent of the compress/flate implementation,
// so the committed forms stay equal to the generator's output across Go releases; the forms are
// a few kilobytes anyway. ODF also requires "mimetype" to be stored, first, without extra fields.
func writeZip(entries []zipEntry) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		fh := &zip.FileHeader{
			Name:               e.Name,
			Method:             zip.Store,
			ModifiedDate:       zipDate,
			CRC32:              crc32.ChecksumIEEE(e.Data),
			CompressedSize64:   uint64(len(e.Data)),
			UncompressedSize64: uint64(len(e.Data)),
			CreatorVersion:     20,
			ReaderVersion:      20,
		}
		w, err := zw.CreateRaw(fh)
		if err != nil {
			return nil, fmt.Errorf("zip entry %s: %w", e.Name, err)
		}
		if _, err := w.Write(e.Data); err != nil {
			return nil, fmt.Errorf("zip entry %s: %w", e.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("close zip: %w", err)
	}
	return buf.Bytes(), nil
}

// restoreZip rewrites a zip made by another library (excelize) with writeZip, keeping the order
// of its entries, so that its bytes are reproducible too.
func restoreZip(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read zip: %w", err)
	}
	entries := make([]zipEntry, 0, len(zr.File))
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Name, err)
		}
		entries = append(entries, zipEntry{Name: f.Name, Data: b})
	}
	return writeZip(entries)
}
