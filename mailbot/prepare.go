package mailbot

import (
	"bytes"
	"io"
	"sync"
)

// maxHeldMessage is the size up to which Prepare reads a stored message from its file once,
// into memory, for both of its readings (the envelope, then the content, its header read once
// for both: parsers.ReadMessage) instead of opening and reading the file twice a few
// kilobytes at a time. A request with its forms is about
// 100 KB; a larger message is streamed from its file, as before.
const maxHeldMessage = 1 << 20

// heldMessages are the buffers Prepare reads messages into. Nothing Prepare returns keeps a
// slice of one: headers, texts and documents are copied out of it as they are read.
var heldMessages = sync.Pool{New: func() any { return new([]byte) }}

// openStored returns m's stored bytes, held when they were read in memory, and how Prepare
// opens them otherwise, each time from the start, and what to call once it is done with them.
// A stored message that cannot be read in memory is opened from its file every time, which
// fails as it would have.
func (in *Intake) openStored(m Incoming) (data []byte, held bool, open func() (io.ReadCloser, error), done func()) {
	bufp := heldMessages.Get().(*[]byte)
	data, held, err := in.store.ReadBlob(m.Blob, (*bufp)[:0], maxHeldMessage)
	if err != nil || !held {
		heldMessages.Put(bufp)
		return nil, false, func() (io.ReadCloser, error) { return in.store.OpenBlob(m.Blob) }, func() {}
	}
	return data, true, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		func() {
			*bufp = data[:0]
			heldMessages.Put(bufp)
		}
}
