package parsers

import (
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
)

// A DEFLATE decoder (RFC 1951) for the streams of a PDF, which sit whole in memory: the bits
// are read 64 at a time and each code looked up in one table, where compress/flate reads a
// byte at a time through an interface and walks its table a bit length at a time. It decodes
// exactly what compress/flate decodes, and stops where it stops: a damaged or cut stream
// gives the bytes compress/flate gave before its error (FuzzInflateAsFlate). In particular,
// like compress/flate, it needs as many bits as the shortest code of a table (for literals and
// lengths, at least the end of block's) before it decodes a symbol.

var (
	errInflateCorrupt = errors.New("pdf: damaged deflate stream")
	errInflateEOF     = io.ErrUnexpectedEOF
)

const (
	inflWindow  = 1 << 15           // the distance a match reaches back
	inflBufSize = 2 * inflWindow    // history and output not yet read
	inflRoom    = inflBufSize - 258 // decoding stops past this, so a match always fits
	inflBits    = 9                 // bits of a code looked up at once
)

// inflHuff is a canonical Huffman code: an entry is the symbol << 5 | the code's length (0 for
// a code no symbol has), or for codes longer than inflBits, 1<<31 | the offset of a second
// table << 5 | the bits it is looked up with, those that follow.
type inflHuff struct {
	min   uint // bits needed before a symbol is decoded (compress/flate's h.min)
	max   uint // 0: no code at all
	table [1 << inflBits]uint32
	links []uint32
}

// link is the entry of a long code in the second table e leads to.
func (h *inflHuff) link(e uint32, b uint64) uint32 {
	return h.links[(e&^(1<<31))>>5+uint32(b>>inflBits)&(1<<(e&31)-1)]
}

// init builds the code of lengths; false when it is neither complete nor a single code of one
// bit (compress/flate's rules: an empty code is accepted, and fails when used).
func (h *inflHuff) init(lengths []uint8) bool {
	var count [16]int
	var min, max uint
	for _, n := range lengths {
		if n == 0 {
			continue
		}
		if min == 0 || uint(n) < min {
			min = uint(n)
		}
		max = maxu(max, uint(n))
		count[n]++
	}
	h.min, h.max = min, max
	if max == 0 {
		return true
	}
	code := 0
	var next [16]int
	for i := min; i <= max; i++ {
		code <<= 1
		next[i] = code
		code += count[i]
	}
	if code != 1<<max && !(code == 1 && max == 1) {
		return false
	}
	if max == 1 {
		clear(h.table[:]) // a single code of one bit: the other bit is no code (a complete code fills every entry)
	}
	if max > inflBits {
		// A second table for each first inflBits bits a long code starts with, of the bits
		// the longest code under them has beyond.
		var sub [1 << inflBits]uint8
		nx := next
		for _, n := range lengths {
			if uint(n) > inflBits {
				c := nx[n]
				nx[n]++
				rev := int(bits.Reverse16(uint16(c)) >> (16 - n))
				p := rev & (1<<inflBits - 1)
				if n-inflBits > sub[p] {
					sub[p] = n - inflBits
				}
			}
		}
		h.links = h.links[:0]
		for p, k := range sub {
			if k > 0 {
				h.table[p] = 1<<31 | uint32(len(h.links))<<5 | uint32(k)
				h.links = append(h.links, make([]uint32, 1<<k)...)
			}
		}
	}
	for sym, n := range lengths {
		if n == 0 {
			continue
		}
		c := next[n]
		next[n]++
		rev := int(bits.Reverse16(uint16(c)) >> (16 - n))
		e := uint32(sym)<<5 | uint32(n)
		if uint(n) <= inflBits {
			for i := rev; i < 1<<inflBits; i += 1 << n {
				h.table[i] = e
			}
			continue
		}
		link := h.table[rev&(1<<inflBits-1)]
		off := (link &^ (1 << 31)) >> 5
		sub := h.links[off : off+1<<(link&31)]
		for i := rev >> inflBits; i < len(sub); i += 1 << (uint(n) - inflBits) {
			sub[i] = e
		}
	}
	return true
}

func maxu(a, b uint) uint {
	if a > b {
		return a
	}
	return b
}

// inflFixed is the code of fixed Huffman blocks for literals and lengths.
var inflFixed = func() *inflHuff {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	h := new(inflHuff)
	h.init(l[:])
	return h
}()

// Where a pdfInflate is between two reads.
const (
	inflHeader = iota // a block starts
	inflStored        // in a stored block: stored bytes left
	inflCoded         // in a Huffman block
	inflEnd           // the last block ended
)

// pdfInflate reads the stream in, inflated; reuse it with reset.
type pdfInflate struct {
	in     []byte
	pos    int
	bits   uint64
	nb     uint
	buf    []byte // buf[:w]: what was written, buf[r:w] not read yet
	r, w   int
	total  int // bytes written since the start (the distance a match may reach back)
	state  int
	final  bool
	stored int
	err    error
	lit    *inflHuff // the literal and length code of the block
	dist   *inflHuff // its distance code, nil for a fixed block
	dyn    [2]inflHuff
	clen   inflHuff
	lens   [286 + 30]uint8
}

func (z *pdfInflate) reset(in []byte) {
	if z.buf == nil {
		z.buf = make([]byte, inflBufSize)
	}
	z.in, z.pos, z.bits, z.nb = in, 0, 0, 0
	z.r, z.w, z.total = 0, 0, 0
	z.state, z.final, z.stored, z.err = inflHeader, false, 0, nil
}

func (z *pdfInflate) Read(p []byte) (int, error) {
	for {
		if z.r < z.w {
			n := copy(p, z.buf[z.r:z.w])
			z.r += n
			return n, nil
		}
		if z.err != nil {
			return 0, z.err
		}
		if z.w > inflRoom {
			// Keep the last window as history: a match reaches no further back.
			n := copy(z.buf, z.buf[z.w-inflWindow:z.w])
			z.r, z.w = n, n
		}
		z.step()
	}
}

// refill loads the bit buffer with whole bytes of the input, as many as fit.
func (z *pdfInflate) refill() {
	if z.pos+8 <= len(z.in) {
		z.bits |= binary.LittleEndian.Uint64(z.in[z.pos:]) << z.nb
		k := (63 - z.nb) >> 3
		z.pos += int(k)
		z.nb += k << 3
		return
	}
	for z.nb <= 56 && z.pos < len(z.in) {
		z.bits |= uint64(z.in[z.pos]) << z.nb
		z.pos++
		z.nb += 8
	}
}

// need makes n bits available (n <= 56); false at the end of the input.
func (z *pdfInflate) need(n uint) bool {
	if z.nb < n {
		z.refill()
	}
	return z.nb >= n
}

func (z *pdfInflate) take(n uint) uint32 {
	v := uint32(z.bits & (1<<n - 1))
	z.bits >>= n
	z.nb -= n
	return v
}

// sym decodes one symbol of h, or sets the error.
func (z *pdfInflate) sym(h *inflHuff) int {
	if h.max == 0 {
		z.err = errInflateCorrupt
		return -1
	}
	if z.nb < 32 {
		z.refill()
	}
	if z.nb < h.min {
		z.err = errInflateEOF
		return -1
	}
	e := h.table[z.bits&(1<<inflBits-1)]
	if e&(1<<31) != 0 {
		e = h.link(e, z.bits)
	}
	n := uint(e & 31)
	switch {
	case n == 0:
		z.err = errInflateCorrupt
		return -1
	case n > z.nb:
		z.err = errInflateEOF
		return -1
	}
	z.bits >>= n
	z.nb -= n
	return int(e >> 5)
}

// step decodes until the buffer is full, a stored block's bytes are out, or the stream ends.
func (z *pdfInflate) step() {
	for z.err == nil && z.w <= inflRoom {
		switch z.state {
		case inflEnd:
			z.err = io.EOF
		case inflHeader:
			z.header()
		case inflStored:
			z.copyStored()
		case inflCoded:
			z.coded()
		}
	}
}

func (z *pdfInflate) header() {
	if !z.need(3) {
		z.err = errInflateEOF
		return
	}
	z.final = z.take(1) == 1
	switch z.take(2) {
	case 0:
		// To the next byte; bytes read ahead go back to the input.
		z.take(z.nb & 7)
		z.pos -= int(z.nb >> 3)
		z.bits, z.nb = 0, 0
		if len(z.in)-z.pos < 4 {
			z.pos = len(z.in)
			z.err = errInflateEOF
			return
		}
		n := int(z.in[z.pos]) | int(z.in[z.pos+1])<<8
		nn := int(z.in[z.pos+2]) | int(z.in[z.pos+3])<<8
		z.pos += 4
		if uint16(nn) != uint16(^n) {
			z.err = errInflateCorrupt
			return
		}
		z.stored, z.state = n, inflStored
	case 1:
		z.lit, z.dist, z.state = inflFixed, nil, inflCoded
	case 2:
		if z.dynamic() {
			z.lit, z.dist, z.state = &z.dyn[0], &z.dyn[1], inflCoded
		}
	default:
		z.err = errInflateCorrupt
	}
}

func (z *pdfInflate) endBlock() {
	z.state = inflHeader
	if z.final {
		z.state = inflEnd
	}
}

func (z *pdfInflate) copyStored() {
	n := min(z.stored, len(z.buf)-z.w, len(z.in)-z.pos)
	copy(z.buf[z.w:], z.in[z.pos:z.pos+n])
	z.pos += n
	z.w += n
	z.total += n
	z.stored -= n
	switch {
	case z.stored == 0:
		z.endBlock()
	case z.pos == len(z.in):
		z.err = errInflateEOF
	}
}

// inflOrder is the order code length codes are written in.
var inflOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamic reads the codes of a dynamic Huffman block; false, with the error set, when they
// are damaged.
func (z *pdfInflate) dynamic() bool {
	if !z.need(14) {
		z.err = errInflateEOF
		return false
	}
	nlit := int(z.take(5)) + 257
	ndist := int(z.take(5)) + 1
	nclen := int(z.take(4)) + 4
	if nlit > 286 || ndist > 30 {
		z.err = errInflateCorrupt
		return false
	}
	var cl [19]uint8
	for i := range nclen {
		if !z.need(3) {
			z.err = errInflateEOF
			return false
		}
		cl[inflOrder[i]] = uint8(z.take(3))
	}
	if !z.clen.init(cl[:]) {
		z.err = errInflateCorrupt
		return false
	}
	lens := z.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		x := z.sym(&z.clen)
		if x < 0 {
			return false
		}
		if x < 16 {
			lens[i] = uint8(x)
			i++
			continue
		}
		var rep int
		var nb uint
		var v uint8
		switch x {
		case 16:
			rep, nb = 3, 2
			if i == 0 {
				z.err = errInflateCorrupt
				return false
			}
			v = lens[i-1]
		case 17:
			rep, nb = 3, 3
		default:
			rep, nb = 11, 7
		}
		if !z.need(nb) {
			z.err = errInflateEOF
			return false
		}
		rep += int(z.take(nb))
		if i+rep > len(lens) {
			z.err = errInflateCorrupt
			return false
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if !z.dyn[0].init(lens[:nlit]) || !z.dyn[1].init(lens[nlit:]) {
		z.err = errInflateCorrupt
		return false
	}
	z.dyn[0].min = maxu(z.dyn[0].min, uint(lens[256]))
	return true
}

// inflLength and inflDist are the bases and extra bits of length and distance symbols.
var (
	inflLenBase  [29]uint16
	inflLenExtra [29]uint8
	inflDistBase [30]uint32
	inflDistBits [30]uint8
)

func init() {
	for i := range 29 {
		switch {
		case i < 8:
			inflLenBase[i] = uint16(3 + i)
		case i == 28:
			inflLenBase[i] = 258
		default:
			e := uint(i/4 - 1)
			inflLenExtra[i] = uint8(e)
			inflLenBase[i] = uint16(3 + 4<<e + (i%4)<<e)
		}
	}
	for i := range 30 {
		if i < 4 {
			inflDistBase[i] = uint32(i + 1)
			continue
		}
		e := uint(i/2 - 1)
		inflDistBits[i] = uint8(e)
		inflDistBase[i] = 1 + 1<<(e+1) + uint32(i&1)<<e
	}
}

// coded decodes a Huffman block's symbols until the buffer is full or the block ends.
func (z *pdfInflate) coded() {
	buf := z.buf
	for z.w <= inflRoom {
		if z.pos+8 <= len(z.in) && z.lit.max != 0 {
			// Eight bytes of input at hand: after a refill the buffer holds 56 bits at least,
			// more than a literal or a length and a distance with their extra bits take, so
			// no code lacks its bits. Damage is left to the careful way below.
			switch z.fast() {
			case inflDone:
				continue
			case inflEOB:
				return
			}
		}
		v := z.sym(z.lit)
		switch {
		case v < 0:
			return
		case v < 256:
			buf[z.w] = byte(v)
			z.w++
			z.total++
			continue
		case v == 256:
			z.endBlock()
			return
		case v >= 286:
			z.err = errInflateCorrupt
			return
		}
		v -= 257
		length := int(inflLenBase[v])
		if e := uint(inflLenExtra[v]); e > 0 {
			if !z.need(e) {
				z.err = errInflateEOF
				return
			}
			length += int(z.take(e))
		}
		var d int
		if z.dist == nil {
			if !z.need(5) {
				z.err = errInflateEOF
				return
			}
			d = int(bits.Reverse8(uint8(z.take(5) << 3)))
		} else if d = z.sym(z.dist); d < 0 {
			return
		}
		if d >= 30 {
			z.err = errInflateCorrupt
			return
		}
		dist := int(inflDistBase[d])
		if e := uint(inflDistBits[d]); e > 0 {
			if !z.need(e) {
				z.err = errInflateEOF
				return
			}
			dist += int(z.take(e))
		}
		if dist > z.total || dist > z.w {
			z.err = errInflateCorrupt
			return
		}
		from := z.w - dist
		if dist >= length {
			copy(buf[z.w:z.w+length], buf[from:from+length])
		} else {
			for i := range length {
				buf[z.w+i] = buf[from+i]
			}
		}
		z.w += length
		z.total += length
	}
}

// What fast did.
const (
	inflDone    = iota // a symbol decoded
	inflEOB            // the block ended
	inflCareful        // nothing decoded: the careful way reads this symbol
)

// fast decodes literals, and lengths with their distances, while eight bytes of input are at
// hand and the buffer has room: after a refill the bit buffer holds 56 bits at least, more
// than a literal or a length and a distance with their extra bits take, so no code lacks its
// bits. A damaged symbol, or a code no symbol has, is left to the careful way: its bits are
// not consumed then (inflCareful). inflDone: out of input or room.
func (z *pdfInflate) fast() (status int) {
	b, nb, pos, w, total := z.bits, z.nb, z.pos, z.w, z.total
	buf, in, lit, hd := z.buf, z.in, z.lit, z.dist
	defer func() { z.bits, z.nb, z.pos, z.w, z.total = b, nb, pos, w, total }()
	for w <= inflRoom && pos+8 <= len(in) {
		b |= binary.LittleEndian.Uint64(in[pos:]) << nb
		k := (63 - nb) >> 3
		pos += int(k)
		nb += k << 3
		e := lit.table[b&(1<<inflBits-1)]
		if e&(1<<31) != 0 {
			e = lit.link(e, b)
		}
		n := uint(e & 31)
		v := int(e >> 5)
		switch {
		case n == 0 || v >= 286:
			return inflCareful
		case v < 256:
			buf[w] = byte(v)
			w++
			total++
			b >>= n
			nb -= n
			continue
		case v == 256:
			b >>= n
			nb -= n
			z.endBlock()
			return inflEOB
		}
		// A length and a distance: consumed only once both are read whole.
		b2, nb2 := b>>n, nb-n
		v -= 257
		length := int(inflLenBase[v])
		if e := uint(inflLenExtra[v]); e > 0 {
			length += int(b2 & (1<<e - 1))
			b2 >>= e
			nb2 -= e
		}
		var d int
		if hd == nil {
			d = int(bits.Reverse8(uint8(b2&31) << 3))
			b2 >>= 5
			nb2 -= 5
		} else {
			if hd.max == 0 {
				return inflCareful
			}
			e := hd.table[b2&(1<<inflBits-1)]
			if e&(1<<31) != 0 {
				e = hd.link(e, b2)
			}
			n := uint(e & 31)
			if n == 0 {
				return inflCareful
			}
			d = int(e >> 5)
			b2 >>= n
			nb2 -= n
		}
		if d >= 30 {
			return inflCareful
		}
		dist := int(inflDistBase[d])
		if e := uint(inflDistBits[d]); e > 0 {
			dist += int(b2 & (1<<e - 1))
			b2 >>= e
			nb2 -= e
		}
		if dist > total || dist > w {
			return inflCareful
		}
		b, nb = b2, nb2
		from := w - dist
		switch {
		case dist >= length && length > 16:
			copy(buf[w:w+length], buf[from:from+length])
		case dist >= 8 && w+length+8 <= len(buf):
			// Eight bytes at a time, each read before written: a source byte is at least
			// eight before its copy. The last word may write up to seven bytes past the
			// match, which nothing has read and the next symbols write again.
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(buf[w+i:], binary.LittleEndian.Uint64(buf[from+i:]))
			}
		default:
			for i := range length {
				buf[w+i] = buf[from+i]
			}
		}
		w += length
		total += length
	}
	return inflDone
}
