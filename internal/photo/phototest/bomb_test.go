package phototest

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// The fixture must be a real PNG: decoding a small one gives every pixel zero.
func TestBombPNGDecodes(t *testing.T) {
	data := BombPNG(300, 200)
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rgba, ok := img.(*image.NRGBA64)
	if !ok {
		t.Fatalf("decoded as %T, want *image.NRGBA64", img)
	}
	if b := rgba.Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Fatalf("size %v", b)
	}
	for _, v := range rgba.Pix {
		if v != 0 {
			t.Fatal("non-zero pixel")
		}
	}
}
