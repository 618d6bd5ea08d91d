package parsers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Our own reader of PDF objects (PDF 32000-1, 7.3 objects, 7.5 file structure): the
// cross-reference table or stream the file ends with and its /Prev chain, each indirect object
// parsed once straight from the file's bytes and kept, each object stream inflated once.
// ledongthuc/pdf parsed an object again every time it was reached, through a new 4 KB buffer.
//
// It accepts and refuses what ledongthuc/pdf did, so that no reading changes: the same checks
// of the file's end, the same cross-reference rules (an older section never overrides a newer
// entry; a hybrid file's /XRefStm is not read), and a damaged object panics where the library
// panicked, so the readers' recovers end a page tree, a field tree or a page where they did.
// Unlike the library it is bounded: nesting, /Prev and /Extends chains, object numbers, and
// an object being resolved while it is resolved (an object stream kept in itself, a loop of
// references) is damage, not a stack overflow.

// pdfKind is what a value is.
type pdfKind uint8

const (
	pkNull pdfKind = iota
	pkBool
	pkInt
	pkReal
	pkString
	pkName
	pkDict
	pkArray
	pkStream
)

// Parsed objects: nil, bool, int64, float64, pdfStr, pdfName, pdfDict, pdfArray, *pdfStrm,
// pdfRef (inside dictionaries and arrays, resolved when reached).
type (
	pdfStr   string
	pdfName  string
	pdfArray []any
	pdfDict  []pdfKV
	pdfRef   struct {
		num uint32
		gen uint16
	}
	pdfKV struct {
		k string
		v any
	}
	// pdfStrm is a stream: its dictionary and where its bytes start in the file.
	pdfStrm struct {
		dict pdfDict
		off  int    // -1: not in the file (a stream inside an object stream)
		ref  pdfRef // the object it is: an encrypted file's key for it
	}
)

// get is the value of key k; the last one when a dictionary repeats a key.
func (d pdfDict) get(k string) any {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i].k == k {
			return d[i].v
		}
	}
	return nil
}

// Bounds of the object reader.
const (
	pdfMaxNesting   = 256 // arrays and dictionaries inside each other
	pdfMaxResolving = 16  // objects being resolved at once (object streams, their dictionaries)
	pdfMaxXrefs     = 64  // cross-reference sections in a /Prev chain
)

// errPDFDamaged is a file the object reader cannot read; errPDFLoop an object reached again
// while it is being read.
var (
	errPDFDamaged = errors.New("pdf: damaged object")
	errPDFLoop    = errors.New("pdf: objects refer to themselves")
)

// pdfXref is one cross-reference entry, as ledongthuc/pdf keeps it: ref {0, 65535} for a free
// entry, the object's own number and generation for one in use.
type pdfXref struct {
	ref      pdfRef
	inStream bool
	stream   uint32
	off      int64 // offset in the file, or index in the object stream
}

// pdfDoc is one PDF file being read.
type pdfDoc struct {
	data      []byte // the file, to its last %%EOF
	xref      []pdfXref
	trailer   pdfDict
	objs      []any   // objects parsed, by number
	state     []uint8 // 0 not read, 1 being read, 2 read
	objStms   map[uint32]*pdfObjStm
	ctx       context.Context
	resolving int
	parsed    int
	maxObjs   int
	crypt     *pdfCrypt // nil: not encrypted
	// the elements and entries of the arrays and dictionaries being parsed
	elems []any
	kvs   []pdfKV
}

// pdfObjStm is an object stream, inflated, with where each of its objects starts: its table is
// read as far as an object looked up needs, as the library read it.
type pdfObjStm struct {
	data  []byte
	nums  []int64
	offs  []int64
	n     int64 // entries the table says it has
	pos   int   // where the table's next entry is
	first int64
	ext   pdfValue // /Extends
}

// find is where object num starts in the stream.
func (os *pdfObjStm) find(d *pdfDoc, num uint32) (int64, bool) {
	for i := 0; ; i++ {
		if i == len(os.nums) {
			if int64(i) >= os.n {
				return 0, false
			}
			p := &pdfParser{b: os.data, pos: os.pos, eofOK: true, d: d}
			id, _ := p.tokenValue().(int64)
			off, _ := p.tokenValue().(int64)
			os.nums, os.offs, os.pos = append(os.nums, id), append(os.offs, off), p.pos
		}
		if uint32(os.nums[i]) == num {
			return os.first + os.offs[i], true
		}
	}
}

// pdfOpen reads the file's cross-reference sections and trailer, as ledongthuc/pdf's
// NewReader does: a header "%PDF-1.x", "%%EOF" at the end, "startxref" on a line of its own in
// the last 100 bytes, and a table or stream there.
func pdfOpen(ctx context.Context, data []byte, maxObjects int) (d *pdfDoc, err error) {
	if i := bytes.Index(data[:min(len(data), 1024)], []byte("%PDF-")); i > 0 {
		data = data[i:]
	}
	if i := bytes.LastIndex(data, []byte("%%EOF")); i >= 0 {
		data = data[:i+5]
	}
	// The scratch stacks start with room for a font's widths and a page's keys.
	d = &pdfDoc{data: data, ctx: ctx, maxObjs: maxObjects, elems: make([]any, 0, 128), kvs: make([]pdfKV, 0, 32)}
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, pdfPanicErr(r)
		}
	}()
	// A header ledongthuc/pdf refused was mended before it read the file: only a file
	// too short for one is refused.
	if len(data) < 9 {
		return nil, fmt.Errorf("not a PDF file: invalid header")
	}
	const endChunk = 100
	if len(data) < endChunk {
		return nil, fmt.Errorf("not a PDF file: missing %%%%EOF")
	}
	end := bytes.TrimRight(data[len(data)-endChunk:], "\r\n\t ")
	if !bytes.HasSuffix(end, []byte("%%EOF")) {
		return nil, fmt.Errorf("not a PDF file: missing %%%%EOF")
	}
	i := pdfFindLastLine(end, "startxref")
	if i < 0 {
		return nil, fmt.Errorf("malformed PDF file: missing final startxref")
	}
	p := d.parser(len(data)-endChunk+i, false)
	if t := p.token(); t.kind != tkKeyword || string(t.s) != "startxref" {
		return nil, fmt.Errorf("malformed PDF file: missing startxref")
	}
	t := p.token()
	if t.kind != tkInt {
		return nil, fmt.Errorf("malformed PDF file: startxref not followed by integer")
	}
	if err := d.readXref(t.i); err != nil {
		return nil, err
	}
	d.objs = make([]any, len(d.xref))
	d.state = make([]uint8, len(d.xref))
	if d.trailer.get("Encrypt") != nil {
		if err := d.initCrypt(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func pdfPanicErr(r any) error {
	if e, ok := r.(error); ok {
		return e
	}
	return fmt.Errorf("malformed PDF: %v", r)
}

func pdfFindLastLine(buf []byte, s string) int {
	end := len(buf)
	for {
		i := bytes.LastIndex(buf[:end], []byte(s))
		if i <= 0 || i+len(s) >= len(buf) {
			return -1
		}
		if (buf[i-1] == '\n' || buf[i-1] == '\r') && (buf[i+len(s)] == '\n' || buf[i+len(s)] == '\r') {
			return i
		}
		end = i
	}
}

// readXref reads the section at off and those its /Prev chain names.
func (d *pdfDoc) readXref(off int64) error {
	if off < 0 {
		return fmt.Errorf("malformed PDF: startxref %d", off)
	}
	p := d.parser(int(min(off, int64(len(d.data)))), false)
	t := p.token()
	switch {
	case t.kind == tkKeyword && string(t.s) == "xref":
		return d.readXrefTables(p)
	case t.kind == tkInt:
		p.pos = int(off)
		return d.readXrefStreams(p)
	}
	return fmt.Errorf("malformed PDF: cross-reference table not found")
}

// prevOffset is a section's /Prev: nil when there is none.
func pdfPrev(dict pdfDict) (int64, bool, error) {
	switch v := dict.get("Prev").(type) {
	case nil:
		return 0, false, nil
	case int64:
		return v, true, nil
	}
	return 0, false, fmt.Errorf("malformed PDF: xref Prev is not integer")
}

func (d *pdfDoc) readXrefTables(p *pdfParser) error {
	if err := d.readXrefTableData(p); err != nil {
		return err
	}
	trailer, ok := p.object().(pdfDict)
	if !ok {
		return fmt.Errorf("malformed PDF: xref table not followed by trailer dictionary")
	}
	d.trailer = trailer
	next := trailer
	for n := 0; ; n++ {
		off, ok, err := pdfPrev(next)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if n >= pdfMaxXrefs || off < 0 || off >= int64(len(d.data)) {
			return fmt.Errorf("malformed PDF: xref Prev chain")
		}
		p := d.parser(int(off), false)
		if t := p.token(); t.kind != tkKeyword || string(t.s) != "xref" {
			return fmt.Errorf("malformed PDF: xref Prev does not point to xref")
		}
		if err := d.readXrefTableData(p); err != nil {
			return err
		}
		if next, ok = p.object().(pdfDict); !ok {
			return fmt.Errorf("malformed PDF: xref Prev table not followed by trailer dictionary")
		}
	}
	size, ok := trailer.get("Size").(int64)
	if !ok {
		return fmt.Errorf("malformed PDF: trailer missing /Size entry")
	}
	if size < int64(len(d.xref)) {
		d.xref = d.xref[:max(size, 0)]
	}
	return nil
}

// grow makes d.xref[x] an entry, refusing more objects than the document may have.
func (d *pdfDoc) grow(x int64) error {
	if x < 0 || x > int64(d.maxObjs) {
		return fmt.Errorf("pdf: object %d: more than %d objects", x, d.maxObjs)
	}
	if int(x) >= len(d.xref) {
		d.xref = append(d.xref, make([]pdfXref, int(x)-len(d.xref)+1)...)
	}
	return nil
}

func (d *pdfDoc) readXrefTableData(p *pdfParser) error {
	for {
		t := p.token()
		if t.kind == tkKeyword && string(t.s) == "trailer" {
			return nil
		}
		n := p.token()
		if t.kind != tkInt || n.kind != tkInt {
			return fmt.Errorf("malformed xref table")
		}
		start := t.i
		for i := int64(0); i < n.i; i++ {
			off, gen, alloc := p.token(), p.token(), p.token()
			if off.kind != tkInt || gen.kind != tkInt || alloc.kind != tkKeyword || string(alloc.s) != "f" && string(alloc.s) != "n" {
				return fmt.Errorf("malformed xref table")
			}
			x := start + i
			if err := d.grow(x); err != nil {
				return err
			}
			if alloc.s[0] == 'n' && d.xref[x].off == 0 {
				d.xref[x] = pdfXref{ref: pdfRef{uint32(x), uint16(gen.i)}, off: off.i}
			}
		}
	}
}

func (d *pdfDoc) readXrefStreams(p *pdfParser) error {
	strm, ok := p.objectDef()
	s, ok2 := strm.obj.(*pdfStrm)
	if !ok || !ok2 {
		return fmt.Errorf("malformed PDF: cross-reference table not found")
	}
	if s.dict.get("Type") != pdfName("XRef") {
		return fmt.Errorf("malformed PDF: xref stream does not have type XRef")
	}
	size, ok := s.dict.get("Size").(int64)
	if !ok {
		return fmt.Errorf("malformed PDF: xref stream missing Size")
	}
	if size < 0 || size > int64(d.maxObjs) {
		return fmt.Errorf("pdf: xref stream /Size %d: more than %d objects", size, d.maxObjs)
	}
	d.xref = make([]pdfXref, size)
	d.trailer = s.dict
	if err := d.readXrefStreamData(s, size); err != nil {
		return fmt.Errorf("malformed PDF: %w", err)
	}
	next := s.dict
	for n := 0; ; n++ {
		off, ok, err := pdfPrev(next)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if n >= pdfMaxXrefs || off < 0 || off >= int64(len(d.data)) {
			return fmt.Errorf("malformed PDF: xref Prev chain")
		}
		def, ok := d.parser(int(off), false).objectDef()
		prev, ok2 := def.obj.(*pdfStrm)
		if !ok || !ok2 {
			return fmt.Errorf("malformed PDF: xref prev stream not found")
		}
		pv := pdfValue{d, prev}
		if pv.Key("Type").Name() != "XRef" {
			return fmt.Errorf("malformed PDF: xref prev stream does not have type XRef")
		}
		psize := pv.Key("Size").Int64()
		if psize > size {
			return fmt.Errorf("malformed PDF: xref prev stream larger than last stream")
		}
		if err := d.readXrefStreamData(prev, psize); err != nil {
			return fmt.Errorf("malformed PDF: reading xref prev stream: %w", err)
		}
		next = prev.dict
	}
}

func (d *pdfDoc) readXrefStreamData(s *pdfStrm, size int64) error {
	index, _ := s.dict.get("Index").(pdfArray)
	if index == nil {
		index = pdfArray{int64(0), size}
	}
	if len(index)%2 != 0 {
		return fmt.Errorf("invalid Index array")
	}
	ww, ok := s.dict.get("W").(pdfArray)
	if !ok || len(ww) < 3 {
		return fmt.Errorf("xref stream missing W array")
	}
	var w [3]int
	total := 0
	for i, x := range ww {
		n, ok := x.(int64)
		if !ok || n < 0 || n > 16 {
			return fmt.Errorf("invalid W array")
		}
		if i < 3 {
			w[i] = int(n)
		}
		total += int(n)
	}
	// Read before the table is known: an indirect /Length reads as none, as in the library.
	data := pdfReadAll(pdfValue{d, s}, int64(d.maxObjs+1)*int64(total+1))
	buf := data
	for len(index) > 0 {
		start, ok1 := index[0].(int64)
		n, ok2 := index[1].(int64)
		if !ok1 || !ok2 {
			return fmt.Errorf("malformed Index pair")
		}
		index = index[2:]
		for i := int64(0); i < n; i++ {
			if len(buf) < total {
				return fmt.Errorf("error reading xref stream: unexpected EOF")
			}
			e := buf[:total]
			buf = buf[total:]
			v1 := pdfBigEndian(e[:w[0]])
			if w[0] == 0 {
				v1 = 1
			}
			v2 := pdfBigEndian(e[w[0] : w[0]+w[1]])
			v3 := pdfBigEndian(e[w[0]+w[1] : w[0]+w[1]+w[2]])
			x := start + i
			if err := d.grow(x); err != nil {
				return err
			}
			if d.xref[x].ref != (pdfRef{}) {
				continue
			}
			switch v1 {
			case 0:
				d.xref[x] = pdfXref{ref: pdfRef{0, 65535}}
			case 1:
				d.xref[x] = pdfXref{ref: pdfRef{uint32(x), uint16(v3)}, off: v2}
			case 2:
				d.xref[x] = pdfXref{ref: pdfRef{uint32(x), 0}, inStream: true, stream: uint32(v2), off: v3}
			}
		}
	}
	return nil
}

// trailerValue is the trailer dictionary.
func (d *pdfDoc) trailerValue() pdfValue { return pdfValue{d, d.trailer} }

// resolve returns what x is, reading the object it refers to if it is a reference.
func (d *pdfDoc) resolve(x any) pdfValue {
	ref, ok := x.(pdfRef)
	if !ok {
		return pdfValue{d, x}
	}
	if int64(ref.num) >= int64(len(d.state)) {
		return pdfValue{} // also while the cross-reference sections are read, as in the library
	}
	e := d.xref[ref.num]
	if e.ref != ref || !e.inStream && e.off == 0 {
		return pdfValue{}
	}
	switch d.state[ref.num] {
	case 2:
		return pdfValue{d, d.objs[ref.num]}
	case 1:
		panic(fmt.Errorf("%w: object %d is read while it is read", errPDFLoop, ref.num))
	}
	if d.resolving >= pdfMaxResolving {
		panic(fmt.Errorf("%w: references nested too deep", errPDFLoop))
	}
	if d.parsed++; d.parsed%64 == 0 {
		if err := d.ctx.Err(); err != nil {
			panic(err)
		}
	}
	d.state[ref.num] = 1
	d.resolving++
	defer func() {
		d.resolving--
		if d.state[ref.num] == 1 {
			d.state[ref.num] = 0 // failed: it fails again when reached again, as in the library
		}
	}()
	var obj any
	if e.inStream {
		obj = d.fromObjStm(ref, e.stream)
	} else {
		if e.off < 0 || e.off >= int64(len(d.data)) {
			panic(fmt.Errorf("malformed PDF: reading at offset %d: EOF", e.off))
		}
		p := d.parser(int(e.off), false)
		def, ok := p.objectDef()
		if !ok {
			panic(fmt.Errorf("loading %d %d R: no object definition", ref.num, ref.gen))
		}
		if def.ref != ref {
			panic(fmt.Errorf("loading %d %d R: found %d %d", ref.num, ref.gen, def.ref.num, def.ref.gen))
		}
		obj = def.obj
	}
	if _, ok := obj.(pdfRef); ok {
		obj = nil
	}
	d.objs[ref.num], d.state[ref.num] = obj, 2
	return pdfValue{d, obj}
}

// fromObjStm reads object ref kept in object stream num (or a stream it /Extends).
func (d *pdfDoc) fromObjStm(ref pdfRef, num uint32) any {
	sv := d.resolve(pdfRef{num, 0})
	for range 8 {
		os := d.objStm(sv)
		if at, ok := os.find(d, ref.num); ok {
			p := &pdfParser{b: os.data, pos: int(min(max(at, 0), int64(len(os.data)))), eofOK: true, d: d}
			return p.object()
		}
		sv = os.ext
	}
	panic("cannot find object in stream")
}

// objStm inflates an object stream once (bounded, as pdfCheckObjStreams checked) and reads its
// table of objects.
func (d *pdfDoc) objStm(v pdfValue) *pdfObjStm {
	s, ok := v.x.(*pdfStrm)
	if !ok {
		panic("not a stream")
	}
	if os := d.objStms[s.ref.num]; os != nil && s.ref.num != 0 {
		return os
	}
	if v.Key("Type").Name() != "ObjStm" {
		panic("not an object stream")
	}
	n := v.Key("N").Int64()
	first := v.Key("First").Int64()
	if first == 0 {
		panic("missing First")
	}
	os := &pdfObjStm{first: first, n: min(n, int64(d.maxObjs)), ext: v.Key("Extends")}
	os.data = pdfReadAll(v, pdfMaxObjStm)
	if d.objStms == nil {
		d.objStms = map[uint32]*pdfObjStm{}
	}
	if s.ref.num != 0 {
		d.objStms[s.ref.num] = os
	}
	return os
}

// pdfValue is a value of a document, read as ledongthuc/pdf's Value is: accessors return the
// zero value of their type for a value of another kind, and dictionaries and arrays resolve
// references as they are reached.
type pdfValue struct {
	d *pdfDoc
	x any
}

func (v pdfValue) IsNull() bool { return v.x == nil }

func (v pdfValue) Kind() pdfKind {
	switch v.x.(type) {
	case bool:
		return pkBool
	case int64:
		return pkInt
	case float64:
		return pkReal
	case pdfStr:
		return pkString
	case pdfName:
		return pkName
	case pdfDict:
		return pkDict
	case pdfArray:
		return pkArray
	case *pdfStrm:
		return pkStream
	}
	return pkNull
}

func (v pdfValue) dict() pdfDict {
	switch x := v.x.(type) {
	case pdfDict:
		return x
	case *pdfStrm:
		return x.dict
	}
	return nil
}

// Key is the value of a dictionary's (or a stream's dictionary's) key.
func (v pdfValue) Key(k string) pdfValue {
	d := v.dict()
	if d == nil {
		return pdfValue{}
	}
	return v.d.resolve(d.get(k))
}

// Keys are a dictionary's keys, sorted.
func (v pdfValue) Keys() []string {
	d := v.dict()
	if d == nil {
		return nil
	}
	keys := make([]string, 0, len(d))
	for _, kv := range d {
		keys = append(keys, kv.k)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

func (v pdfValue) Index(i int) pdfValue {
	a, ok := v.x.(pdfArray)
	if !ok || i < 0 || i >= len(a) {
		return pdfValue{}
	}
	return v.d.resolve(a[i])
}

func (v pdfValue) Len() int {
	a, _ := v.x.(pdfArray)
	return len(a)
}

func (v pdfValue) Name() string {
	n, _ := v.x.(pdfName)
	return string(n)
}

func (v pdfValue) Int64() int64 {
	n, _ := v.x.(int64)
	return n
}

func (v pdfValue) Float64() float64 {
	switch n := v.x.(type) {
	case float64:
		return n
	case int64:
		return float64(n)
	}
	return 0
}

func (v pdfValue) RawString() string {
	s, _ := v.x.(pdfStr)
	return string(s)
}

// Text is a text string (PDF 32000-1, 7.9.2.2) as ledongthuc/pdf decodes it: PDFDocEncoding
// when every byte has a character there, else UTF-16BE after its byte order mark, else the
// bytes as they are.
func (v pdfValue) Text() string {
	s, ok := v.x.(pdfStr)
	if !ok {
		return ""
	}
	utf16BOM := len(s) >= 2 && s[0] == 0xfe && s[1] == 0xff && len(s)%2 == 0
	if !utf16BOM {
		doc, same := true, true
		for i := 0; i < len(s); i++ {
			r := pdfDocEncoding[s[i]]
			if r == pdfNoRune {
				doc = false
				break
			}
			if r != rune(s[i]) {
				same = false
			}
		}
		if doc && same {
			return string(s)
		}
		if doc {
			r := make([]rune, len(s))
			for i := 0; i < len(s); i++ {
				r[i] = pdfDocEncoding[s[i]]
			}
			return string(r)
		}
		return string(s)
	}
	u := make([]uint16, 0, len(s)/2-1)
	for i := 2; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return string(utf16.Decode(u))
}

// String is a number as text (pdfText of a number).
func (v pdfValue) String() string {
	switch x := v.x.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case pdfName:
		return "/" + string(x)
	case nil:
		return "<nil>"
	}
	return fmt.Sprint(v.x)
}

const pdfNoRune = '\uFFFD'

// pdfDocEncoding is PDFDocEncoding (PDF 32000-1, Annex D.2): Latin-1 but for the accents at
// 0x18-0x1F, the punctuation at 0x80-0x9E and the euro at 0xA0; pdfNoRune where it is
// undefined.
var pdfDocEncoding = func() (t [256]rune) {
	for i := range t {
		t[i] = rune(i)
	}
	for i := range 0x20 {
		t[i] = pdfNoRune
	}
	t['\t'], t['\n'], t['\r'] = '\t', '\n', '\r'
	copy(t[0x18:], []rune("˘ˇˆ˙˝˛˚˜"))
	copy(t[0x80:], []rune("•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž"))
	t[0x7f], t[0x9f], t[0xa0], t[0xad] = pdfNoRune, pdfNoRune, '€', pdfNoRune
	return t
}()

// pdfObjDef is "N G obj ... endobj".
type pdfObjDef struct {
	ref pdfRef
	obj any
}

// Token kinds of the object parser.
const (
	tkEOF = iota
	tkInt
	tkReal
	tkBool
	tkString
	tkName
	tkKeyword
)

type pdfToken struct {
	kind int
	i    int64
	f    float64
	s    []byte // valid until the next token
}

// pdfParser reads objects from a file's bytes or an object stream's.
type pdfParser struct {
	b     []byte
	pos   int
	eofOK bool // an object stream: its end ends a token (in the file, it is damage)
	eof   bool
	d     *pdfDoc
	depth int
	ref   pdfRef // the object being read: an encrypted file's key for its strings
	tmp   []byte
	// The last two integers read: an integer is read again as the parser looks ahead for
	// "N G R" and at each element of an array (arrays of widths are long).
	ahead [2]pdfAhead
	next  int
}

// pdfAhead is an integer token read at a place: its start (before white space) and its end.
type pdfAhead struct {
	at, end int
	tok     pdfToken
}

func (d *pdfDoc) parser(off int, eofOK bool) *pdfParser {
	return &pdfParser{b: d.data, pos: off, eofOK: eofOK, d: d}
}

// getc returns the next byte; at the end a line end, as ledongthuc/pdf's buffer did, once in
// an object stream, and a panic in the file.
func (p *pdfParser) getc() byte {
	if p.pos < len(p.b) {
		c := p.b[p.pos]
		p.pos++
		return c
	}
	if !p.eofOK {
		panic(fmt.Errorf("malformed PDF: reading at offset %d: EOF", p.pos))
	}
	p.eof = true
	p.pos = len(p.b) + 1 // an unread after the end stays at the end
	return '\n'
}

func (p *pdfParser) ungetc() {
	if p.pos > 0 {
		p.pos--
	}
}

func isPDFDelim(c byte) bool { return pdfClass[c] == pcDelim }

// token reads one token (PDF 32000-1, 7.2), as ledongthuc/pdf's readToken does.
func (p *pdfParser) token() pdfToken {
	if !p.eof {
		for i := range p.ahead {
			if a := &p.ahead[i]; a.end > 0 && a.at == p.pos {
				p.pos = a.end
				return a.tok
			}
		}
	}
	// Returned as readToken returns it: a token kept in a variable was copied through memory
	// just written, which the processor waits for.
	return p.readToken(p.pos, p.eof)
}

// intToken is the integer n read from at (with p.eof as it was there, eof), kept in ahead for
// token to read again.
func (p *pdfParser) intToken(n int64, at int, eof bool) pdfToken {
	if !eof && !p.eof {
		a := &p.ahead[p.next]
		a.at, a.end, a.tok = at, p.pos, pdfToken{kind: tkInt, i: n}
		p.next ^= 1
	}
	return pdfToken{kind: tkInt, i: n}
}

// readToken reads one token, which starts at at (eof: p.eof there); an integer is kept in
// ahead (intToken).
func (p *pdfParser) readToken(at int, eof bool) pdfToken {
	for p.pos < len(p.b) && pdfClass[p.b[p.pos]] == pcSpace {
		p.pos++ // white space within the bytes: no call a byte
	}
	c := p.getc()
	for {
		if isPDFSpace(c) {
			if p.eof {
				return pdfToken{kind: tkEOF}
			}
			c = p.getc()
		} else if c == '%' {
			for c != '\r' && c != '\n' {
				c = p.getc()
			}
		} else {
			break
		}
	}
	switch c {
	case '<':
		if p.getc() == '<' {
			return pdfToken{kind: tkKeyword, s: pdfDictKeywords[0]}
		}
		p.ungetc()
		return pdfToken{kind: tkString, s: p.hex()}
	case '(':
		return pdfToken{kind: tkString, s: p.literal()}
	case '[', ']', '{', '}':
		return pdfToken{kind: tkKeyword, s: pdfDelimKeywords[c]}
	case '/':
		return pdfToken{kind: tkName, s: p.name()}
	case '>':
		if p.getc() == '>' {
			return pdfToken{kind: tkKeyword, s: pdfDictKeywords[1]}
		}
		p.ungetc()
	}
	if isPDFDelim(c) {
		panic(fmt.Errorf("unexpected delimiter %#q", rune(c)))
	}
	start := p.pos - 1
	for p.pos < len(p.b) && pdfClass[p.b[p.pos]] == pcRegular {
		p.pos++
	}
	for {
		c := p.getc() // the end of the bytes, as there
		if isPDFDelim(c) || isPDFSpace(c) {
			p.ungetc()
			break
		}
	}
	w := p.b[start:min(p.pos, len(p.b))]
	switch {
	case string(w) == "true":
		return pdfToken{kind: tkBool, i: 1}
	case string(w) == "false":
		return pdfToken{kind: tkBool}
	}
	digits, dots := 0, 0
	for i, c := range w {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		case i == 0 && (c == '+' || c == '-'):
		default:
			return pdfToken{kind: tkKeyword, s: w}
		}
	}
	switch {
	case digits > 0 && dots == 0 && digits <= 18:
		// An integer within int64: read here, as strconv reads it.
		var n int64
		for _, c := range w {
			if c >= '0' && c <= '9' {
				n = n*10 + int64(c-'0')
			}
		}
		if w[0] == '-' {
			n = -n
		}
		return p.intToken(n, at, eof)
	case digits > 0 && dots == 0:
		n, err := strconv.ParseInt(string(w), 10, 64)
		if err != nil {
			panic(fmt.Errorf("invalid integer %s", w))
		}
		return p.intToken(n, at, eof)
	case dots == 1 && len(w) > 1 && !(len(w) == 2 && (w[0] == '+' || w[0] == '-')):
		f, err := strconv.ParseFloat(string(w), 64)
		if err != nil {
			panic(fmt.Errorf("invalid real %s", w))
		}
		return pdfToken{kind: tkReal, f: f}
	}
	return pdfToken{kind: tkKeyword, s: w}
}

// pdfDictKeywords are "<<" and ">>", made once: a token of one costs no allocation.
var pdfDictKeywords = [2][]byte{[]byte("<<"), []byte(">>")}

var pdfDelimKeywords = [256][]byte{'[': []byte("["), ']': []byte("]"), '{': []byte("{"), '}': []byte("}")}

func (p *pdfParser) hex() []byte {
	b := p.tmp[:0]
	for {
		c := p.getc()
		for isPDFSpace(c) && !p.eof {
			c = p.getc()
		}
		if c == '>' {
			break
		}
		c2 := p.getc()
		for isPDFSpace(c2) && !p.eof {
			c2 = p.getc()
		}
		x := unhexByte(c)<<4 | unhexByte(c2)
		if x < 0 || p.eof {
			panic(fmt.Errorf("malformed hex string"))
		}
		b = append(b, byte(x))
	}
	p.tmp = b
	return b
}

func (p *pdfParser) literal() []byte {
	b := p.tmp[:0]
	add := func(c byte) { b = append(b, c) } // no longer than the bytes it is read from
	depth := 1
loop:
	for !p.eof {
		c := p.getc()
		switch c {
		default:
			add(c)
		case '(':
			depth++
			add(c)
		case ')':
			if depth--; depth == 0 {
				break loop
			}
			add(c)
		case '\\':
			switch c = p.getc(); c {
			default:
				panic(fmt.Errorf("invalid escape sequence \\%c", c))
			case 'n':
				add('\n')
			case 'r':
				add('\r')
			case 'b':
				add('\b')
			case 't':
				add('\t')
			case 'f':
				add('\f')
			case '(', ')', '\\':
				add(c)
			case '\r':
				if p.getc() != '\n' {
					p.ungetc()
				}
			case '\n':
			case '0', '1', '2', '3', '4', '5', '6', '7':
				x := int(c - '0')
				for range 2 {
					c = p.getc()
					if c < '0' || c > '7' {
						p.ungetc()
						break
					}
					x = x*8 + int(c-'0')
				}
				if x > 255 {
					panic(fmt.Errorf("invalid octal escape \\%03o", x))
				}
				add(byte(x))
			}
		}
	}
	p.tmp = b
	return b
}

func (p *pdfParser) name() []byte {
	// Most names are plain letters ending inside the bytes: a slice of them, not a copy.
	for j := p.pos; j < len(p.b) && j-p.pos <= 256; j++ {
		c := p.b[j]
		if c == '#' {
			break
		}
		if pdfClass[c] != pcRegular {
			name := p.b[p.pos:j]
			p.pos = j
			return name
		}
	}
	b := p.tmp[:0]
	for {
		c := p.getc()
		if isPDFDelim(c) || isPDFSpace(c) {
			p.ungetc()
			break
		}
		if c == '#' {
			x := unhexByte(p.getc())<<4 | unhexByte(p.getc())
			if x < 0 {
				panic(fmt.Errorf("malformed name"))
			}
			c = byte(x)
		}
		if len(b) < 256 {
			b = append(b, c)
		}
	}
	p.tmp = b
	return b
}

// intern is a name as a string: the names of the objects forms and pages are made of cost no
// allocation.
func (p *pdfParser) intern(b []byte) string {
	if s, ok := pdfCommonNames[string(b)]; ok {
		return s
	}
	return string(b)
}

var pdfCommonNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range strings.Fields(`Type Subtype Length Filter FlateDecode DecodeParms Root Info
		Size Prev ID Catalog Pages Page Kids Count Parent Resources Font XObject ExtGState
		ProcSet PDF Text ImageB ImageC ImageI MediaBox CropBox Contents Annots Rotate Group
		BaseFont FirstChar LastChar Widths FontDescriptor Encoding WinAnsiEncoding ToUnicode
		DescendantFonts CIDSystemInfo DW W Type0 TrueType Type1 CIDFontType2 Identity-H
		FontName Flags FontBBox ItalicAngle Ascent Descent CapHeight StemV FontFile2 Length1
		AcroForm Fields T TU TM V DV FT Ff Tx Btn Ch Sig Opt AS AP N D MK DA Q F P Rect
		Widget Annot Yes Off NeedAppearances DR Helv ZaDb Border BS Matrix BBox Form
		FormType Title Producer Creator CreationDate ModDate Keywords Lang OpenAction XYZ
		ViewerPreferences DisplayDocTitle ObjStm First Extends XRef Index Predictor Columns
		Metadata StructTreeRoot MarkInfo Marked`) {
		m[n] = n
	}
	return m
}()

// pdfNameValues are the common names as values, boxed once: a name costs no allocation.
var pdfNameValues = func() map[string]any {
	m := make(map[string]any, len(pdfCommonNames))
	for n := range pdfCommonNames {
		m[n] = pdfName(n)
	}
	return m
}()

// tokenValue is the next token as an object value (an object stream's table of offsets).
func (p *pdfParser) tokenValue() any {
	t := p.token()
	switch t.kind {
	case tkInt:
		return pdfInt(t.i)
	case tkReal:
		return t.f
	}
	return nil
}

// object reads one object, as ledongthuc/pdf's readObject does: "N G R" is a reference,
// "N G obj" a definition, a dictionary followed by "stream" a stream.
func (p *pdfParser) object() any {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > pdfMaxNesting {
		panic(fmt.Errorf("object nesting exceeds maximum depth %d", pdfMaxNesting))
	}
	t := p.token()
	switch t.kind {
	case tkEOF:
		if !p.eofOK {
			panic(fmt.Errorf("malformed PDF: unexpected EOF"))
		}
		return nil
	case tkKeyword:
		switch string(t.s) {
		case "null", ">>", "]":
			return nil
		case "<<":
			return p.dictOrStream()
		case "[":
			return p.array()
		}
		panic(fmt.Errorf("unexpected keyword %q parsing object", t.s))
	case tkString:
		s := string(t.s)
		if p.d.crypt != nil && p.ref.num != 0 {
			s = p.d.crypt.decryptString(p.ref, s)
		}
		return pdfStr(s)
	case tkName:
		if v, ok := pdfNameValues[string(t.s)]; ok {
			return v // boxed once
		}
		return pdfName(string(t.s))
	case tkBool:
		return t.i == 1
	case tkReal:
		return t.f
	}
	// An integer: a reference or a definition when two tokens follow that make one.
	if t.i < 0 || t.i > 1<<32-1 {
		return pdfInt(t.i)
	}
	save := p.pos
	t2 := p.token()
	if t2.kind == tkInt && t2.i >= 0 && t2.i <= 1<<16-1 {
		t3 := p.token()
		if t3.kind == tkKeyword {
			ref := pdfRef{uint32(t.i), uint16(t2.i)}
			switch string(t3.s) {
			case "R":
				return ref
			case "obj":
				return p.definition(ref)
			}
		}
	}
	p.pos, p.eof = save, false
	return pdfInt(t.i)
}

// definition reads the object of a definition after its "N G obj", up to its "endobj".
func (p *pdfParser) definition(ref pdfRef) pdfObjDef {
	old := p.ref
	p.ref = ref
	obj := p.object()
	if _, ok := obj.(*pdfStrm); !ok {
		if t4 := p.token(); t4.kind != tkKeyword || string(t4.s) != "endobj" {
			panic(fmt.Errorf("missing endobj after indirect object definition"))
		}
	}
	p.ref = old
	return pdfObjDef{ref, obj}
}

// objectDef is object read where a definition should start, without boxing the definition:
// the same tokens are read, and anything but a definition is read again by object.
func (p *pdfParser) objectDef() (pdfObjDef, bool) {
	save, eof := p.pos, p.eof
	if t := p.token(); t.kind == tkInt && t.i >= 0 && t.i <= 1<<32-1 {
		if t2 := p.token(); t2.kind == tkInt && t2.i >= 0 && t2.i <= 1<<16-1 {
			if t3 := p.token(); t3.kind == tkKeyword && string(t3.s) == "obj" {
				p.depth++ // as in object
				def := p.definition(pdfRef{uint32(t.i), uint16(t2.i)})
				p.depth--
				return def, true
			}
		}
	}
	p.pos, p.eof = save, eof
	def, ok := p.object().(pdfObjDef)
	return def, ok
}

// pdfSmallInts are the integers glyph widths and most numbers of a page's objects are, boxed
// once: an integer in an array or dictionary costs no allocation of its own.
var pdfSmallInts = func() (t [2048]any) {
	for i := range t {
		t[i] = int64(i)
	}
	return t
}()

func pdfInt(n int64) any {
	if n >= 0 && n < int64(len(pdfSmallInts)) {
		return pdfSmallInts[n]
	}
	return n
}

// array reads an array's elements onto the document's scratch stack, then copies them into
// an array of their number: one allocation an array, not one a doubling.
func (p *pdfParser) array() any {
	start := len(p.d.elems)
	defer func() { p.d.elems = p.d.elems[:start] }()
	for {
		save := p.pos
		t := p.token()
		if t.kind == tkEOF || t.kind == tkKeyword && string(t.s) == "]" {
			break
		}
		p.pos = save
		e := p.object()
		p.d.elems = append(p.d.elems, e)
	}
	if len(p.d.elems) == start {
		return pdfArray(nil)
	}
	return slices.Clone(pdfArray(p.d.elems[start:]))
}

func (p *pdfParser) dictOrStream() any {
	start := len(p.d.kvs)
	for {
		t := p.token()
		if t.kind == tkEOF || t.kind == tkKeyword && string(t.s) == ">>" {
			break
		}
		if t.kind != tkName {
			p.d.kvs = p.d.kvs[:start]
			panic(fmt.Errorf("dictionary key is not a name"))
		}
		k := p.intern(t.s)
		v := p.object()
		p.d.kvs = append(p.d.kvs, pdfKV{k, v})
	}
	var d pdfDict
	if len(p.d.kvs) > start {
		d = slices.Clone(pdfDict(p.d.kvs[start:]))
	}
	p.d.kvs = p.d.kvs[:start]
	save := p.pos
	t := p.token()
	if t.kind != tkKeyword || string(t.s) != "stream" {
		p.pos, p.eof = save, false
		return d
	}
	switch p.getc() {
	case '\r':
		if p.getc() != '\n' {
			p.ungetc()
		}
	case '\n':
	default:
		panic(fmt.Errorf("stream keyword not followed by newline"))
	}
	off := p.pos
	if p.eofOK {
		off = -1 // a stream inside an object stream: its bytes are not in the file
	}
	return &pdfStrm{dict: d, off: off, ref: p.ref}
}
