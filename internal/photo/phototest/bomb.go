// Package phototest makes hostile images for tests of photo uploads.
package phototest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// BombPNG returns a valid w×h 16-bit RGBA PNG whose pixels are all zero (transparent black): a
// few hundred bytes per megapixel on the wire, w·h·8 bytes once decoded. The zlib stream is
// written by hand with deflate's fixed Huffman codes (a literal 0, then back-references of
// length 258 at distance 1), because compressing hundreds of megabytes with compress/flate
// takes seconds under the race detector.
func BombPNG(w, h int) []byte {
	raw := int64(h) * int64(1+w*8) // every row: filter byte 0 (none) + 8 bytes per pixel, all zero
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6 // bit depth 16, colour type 6 (RGBA)
	chunk(&out, "IHDR", ihdr)
	chunk(&out, "IDAT", zlibZeros(raw))
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

func chunk(b *bytes.Buffer, kind string, data []byte) {
	binary.Write(b, binary.BigEndian, uint32(len(data)))
	b.WriteString(kind)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	binary.Write(b, binary.BigEndian, crc.Sum32())
}

// zlibZeros is a zlib stream (RFC 1950/1951) of n zero bytes in one fixed-Huffman block.
func zlibZeros(n int64) []byte {
	var bw bitWriter
	bw.buf = []byte{0x78, 0x01}
	bw.bits(1, 1)    // BFINAL
	bw.bits(1, 2)    // BTYPE 01: fixed Huffman codes
	bw.code(0x30, 8) // literal 0
	left := n - 1
	for ; left >= 258; left -= 258 {
		bw.code(0xC5, 8) // length code 285: 258 bytes, no extra bits
		bw.code(0, 5)    // distance code 0: distance 1
	}
	for ; left > 0; left-- {
		bw.code(0x30, 8)
	}
	bw.code(0, 7) // end of block (256)
	bw.flush()
	adler := uint32(n%65521)<<16 | 1 // s1 = 1 + Σ0, s2 = n·s1
	return binary.BigEndian.AppendUint32(bw.buf, adler)
}

// bitWriter packs deflate bits, least significant first.
type bitWriter struct {
	buf   []byte
	acc   uint64
	count uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.count
	w.count += n
	for w.count >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.count -= 8
	}
}

// code writes a Huffman code, whose bits go most significant first.
func (w *bitWriter) code(c uint64, n uint) {
	var r uint64
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(r, n)
}

func (w *bitWriter) flush() {
	if w.count > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc, w.count = 0, 0
	}
}
