package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

func sample(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 100, 255})
		}
	}
	// A red marker in the top-left corner to check orientation.
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			img.Set(x, y, color.RGBA{255, 0, 0, 255})
		}
	}
	return img
}

// withEXIF inserts an APP1 EXIF segment (orientation + a GPS marker string) after the SOI.
func withEXIF(jpg []byte, orientation uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, binary.BigEndian, uint32(8))
	binary.Write(&tiff, binary.BigEndian, uint16(1))                  // one entry
	binary.Write(&tiff, binary.BigEndian, [4]uint16{0x0112, 3, 0, 1}) // orientation, SHORT, count 1
	binary.Write(&tiff, binary.BigEndian, orientation)
	binary.Write(&tiff, binary.BigEndian, uint16(0))
	binary.Write(&tiff, binary.BigEndian, uint32(0))
	tiff.WriteString("GPS-SECRET-24.9N118.6E")
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

func TestProcessStripsMetadataAndRotates(t *testing.T) {
	var buf bytes.Buffer
	jpeg.Encode(&buf, sample(60, 40), &jpeg.Options{Quality: 95})
	in := withEXIF(buf.Bytes(), 6) // rotate 90° clockwise to display
	if !bytes.Contains(in, []byte("GPS-SECRET")) {
		t.Fatal("fixture lacks metadata")
	}
	p, err := Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.JPEG, []byte("GPS-SECRET")) || bytes.Contains(p.JPEG, []byte("Exif")) {
		t.Fatal("metadata kept")
	}
	if p.Width != 40 || p.Height != 60 {
		t.Fatalf("not rotated: %dx%d", p.Width, p.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(p.JPEG))
	if err != nil {
		t.Fatal(err)
	}
	// Orientation 6: the top-left marker ends up top-right.
	r, g, _, _ := img.At(38, 1).RGBA()
	if r>>8 < 200 || g>>8 > 80 {
		t.Fatalf("marker not at top-right after rotation: r=%d g=%d", r>>8, g>>8)
	}
	if _, err := jpeg.Decode(bytes.NewReader(p.Thumbnail)); err != nil {
		t.Fatal("thumbnail is not a JPEG")
	}
}

func TestProcessScalesPNGAndRefusesBadInput(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, sample(3000, 1000))
	p, err := Process(context.Background(), buf.Bytes())
	if err != nil || p.Width != MaxSide || p.Height != MaxSide/3 {
		t.Fatalf("scaled png: %dx%d %v", p.Width, p.Height, err)
	}
	thumb, _ := jpeg.DecodeConfig(bytes.NewReader(p.Thumbnail))
	if thumb.Width != ThumbSide {
		t.Fatalf("thumbnail width %d", thumb.Width)
	}
	cases := map[string][]byte{
		"text":      []byte("this is not an image at all"),
		"pdf":       []byte("%PDF-1.4 …"),
		"truncated": buf.Bytes()[:200],
		"heic":      append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...),
	}
	for name, data := range cases {
		_, err := Process(context.Background(), data)
		if apperr.CodeOf(err) != apperr.Unsupported {
			t.Errorf("%s: %v", name, err)
		}
	}
	big := make([]byte, MaxBytes+1)
	copy(big, buf.Bytes())
	if _, err := Process(context.Background(), big); apperr.CodeOf(err) != apperr.TooLarge {
		t.Errorf("oversized: %v", err)
	}
}

func FuzzProcessNeverPanics(f *testing.F) {
	var buf bytes.Buffer
	jpeg.Encode(&buf, sample(8, 8), nil)
	f.Add(buf.Bytes())
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Process(context.Background(), b)
	})
}
