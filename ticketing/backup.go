package ticketing

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// BackupStats says what a backup holds.
type BackupStats struct {
	DatabaseBytes int64
	Blobs         int      // message files copied
	Gone          []string // referenced when the database was copied, deleted before their copy (a redaction)
}

// Backup writes a consistent copy of the store into dir, which must not hold a database yet:
// the database as of one instant (VACUUM INTO reads it in one transaction while the daemon
// goes on writing) and then every message file that copy refers to. Message files are written
// once and never change, so copying them after the snapshot is safe; one deleted meanwhile
// was replaced by a redacted copy and is reported in Gone (Check flags it in the backup).
func (s *Store) Backup(ctx context.Context, dir string) (BackupStats, error) {
	var st BackupStats
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return st, fmt.Errorf("backup dir: %w", err)
	}
	db := filepath.Join(dir, dbName)
	if _, err := os.Stat(db); err == nil {
		return st, fmt.Errorf("backup: %s already exists", db)
	}
	if _, err := s.r.ExecContext(ctx, "VACUUM INTO ?", db); err != nil {
		return st, fmt.Errorf("backup database: %w", err)
	}
	if fi, err := os.Stat(db); err == nil {
		st.DatabaseBytes = fi.Size()
	}
	sums, err := referencedBlobs(ctx, db)
	if err != nil {
		return st, err
	}
	for _, sum := range sums {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		err := copyFile(blobPath(s.dir, sum), blobPath(dir, sum))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			st.Gone = append(st.Gone, sum)
		case err != nil:
			return st, fmt.Errorf("backup message %s: %w", sum, err)
		default:
			st.Blobs++
		}
	}
	return st, nil
}

// CheckReport is what Check found wrong in a data directory; empty when all is well.
type CheckReport struct {
	Messages int      // message files referenced
	Problems []string // in English, one per finding
}

// Check verifies a data directory without changing it: SQLite's integrity and foreign-key
// checks, and every message file the database refers to present and matching its hash.
func Check(ctx context.Context, dataDir string) (CheckReport, error) {
	var rep CheckReport
	db := filepath.Join(dataDir, dbName)
	if _, err := os.Stat(db); err != nil {
		return rep, fmt.Errorf("check: %w", err)
	}
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return rep, fmt.Errorf("check: open %s: %w", db, err)
	}
	defer conn.Close()
	for _, pragma := range []string{"PRAGMA integrity_check", "PRAGMA foreign_key_check"} {
		rows, err := conn.QueryContext(ctx, pragma)
		if err != nil {
			return rep, fmt.Errorf("check: %s: %w", pragma, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return rep, err
			}
			if len(vals) == 1 && fmt.Sprint(vals[0]) == "ok" {
				continue
			}
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", pragma, vals))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return rep, err
		}
	}
	sums, err := referencedBlobs(ctx, db)
	if err != nil {
		return rep, err
	}
	rep.Messages = len(sums)
	for _, sum := range sums {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		got, err := hashFile(blobPath(dataDir, sum))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.Problems = append(rep.Problems, "message file missing: "+sum)
		case err != nil:
			rep.Problems = append(rep.Problems, fmt.Sprintf("message file %s unreadable: %v", sum, err))
		case got != sum:
			rep.Problems = append(rep.Problems, fmt.Sprintf("message file %s does not match its hash (%s)", sum, got))
		}
	}
	return rep, nil
}

// referencedBlobs lists the message files a database file refers to.
func referencedBlobs(ctx context.Context, db string) ([]string, error) {
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", db, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "SELECT DISTINCT blob FROM messages WHERE blob != '' ORDER BY blob")
	if err != nil {
		return nil, fmt.Errorf("list message files: %w", err)
	}
	defer rows.Close()
	var sums []string
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			return nil, err
		}
		if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("message file name %q is not a sha256", sum)
		}
		sums = append(sums, sum)
	}
	return sums, rows.Err()
}

func hashFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// copyFile copies src to dst and syncs it, through a temporary name so that a crash never
// leaves a truncated file under the final name.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	tmp := dst + ".part"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}
