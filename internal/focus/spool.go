package focus

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

var parquetMagic = []byte("PAR1")

// IsParquet reports whether a file beginning with head (its first four
// bytes or more) is a Parquet file.
func IsParquet(head []byte) bool { return bytes.HasPrefix(head, parquetMagic) }

// Spool copies an upload to a temporary file, rewound, so that a format
// read at random offsets (Parquet) can be read without holding the file in
// memory. remove closes and deletes the file.
func Spool(r io.Reader) (f *os.File, remove func(), err error) {
	f, err = os.CreateTemp("", "engage-upload-*")
	if err != nil {
		return nil, nil, fmt.Errorf("storing the upload: %w", err)
	}
	remove = func() {
		f.Close()
		os.Remove(f.Name())
	}
	if _, err = io.Copy(f, r); err != nil {
		remove()
		return nil, nil, fmt.Errorf("receiving the upload: %w", err)
	}
	if _, err = f.Seek(0, io.SeekStart); err != nil {
		remove()
		return nil, nil, fmt.Errorf("storing the upload: %w", err)
	}
	return f, remove, nil
}
