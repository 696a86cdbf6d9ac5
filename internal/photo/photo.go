// Package photo takes the photos people attach to reports and evidence: it accepts JPEG and PNG,
// refuses anything else and oversized images, turns the picture upright by its EXIF orientation,
// and re-encodes it — which drops every metadata block, GPS position included — with a thumbnail.
package photo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	_ "image/png" // registers PNG decoding
	"net/http"

	"github.com/rwcarlsen/goexif/exif"
	"golang.org/x/image/draw"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Limits of an accepted photo.
const (
	MaxBytes  = 10 << 20   // 10 MiB per file
	MaxPixels = 40_000_000 // decompression bombs are refused before decoding
	// MaxDecodedBytes bounds the memory one decode may take, computed from the header (pixels ×
	// bytes per pixel of the colour model, see decodedBytes): a 6000×6000 16-bit RGBA PNG is
	// under MaxPixels yet takes 288 MB. 64 MB admits a 40 MP baseline JPEG (4:2:0), a 16 MP
	// 8-bit RGBA PNG and an 8 MP progressive JPEG.
	MaxDecodedBytes = 64 << 20
	MaxSide         = 2560 // stored photos are scaled down to this long side
	ThumbSide       = 320
	JPEGQuality     = 85
	MaxPerCase      = 9
	MaxPerAction    = 9
)

// Processed is a photo ready to store.
type Processed struct {
	JPEG          []byte
	Thumbnail     []byte
	Width, Height int
}

// Process checks and cleans one uploaded photo with the process-wide Processor.
func Process(ctx context.Context, data []byte) (Processed, error) {
	return shared.Process(ctx, data)
}

// ProcessAll is Process for each of an upload's files, in order; the first refusal ends it.
func ProcessAll(ctx context.Context, files [][]byte) ([]Processed, error) {
	out := make([]Processed, len(files))
	for i, f := range files {
		var err error
		if out[i], err = Process(ctx, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SHA256 is the stored photo's digest, as the photo tables keep it (hex).
func (p Processed) SHA256() string {
	sum := sha256.Sum256(p.JPEG)
	return hex.EncodeToString(sum[:])
}

// Process checks and cleans one uploaded photo: everything that can be refused from the bytes
// and the header is refused before the picture is decoded, and decodes wait for a free slot.
func (p *Processor) Process(ctx context.Context, data []byte) (Processed, error) {
	p.checked.Add(1)
	if len(data) > MaxBytes {
		return Processed{}, apperr.New(apperr.TooLarge, "photo.too_large", MaxBytes>>20)
	}
	switch http.DetectContentType(data) {
	case "image/jpeg", "image/png":
	default:
		if isHEIC(data) {
			return Processed{}, apperr.New(apperr.Unsupported, "photo.heic")
		}
		return Processed{}, apperr.New(apperr.Unsupported, "photo.not_image")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Processed{}, apperr.New(apperr.Unsupported, "photo.not_image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Processed{}, apperr.New(apperr.TooLarge, "photo.too_many_pixels")
	}
	if decodedBytes(cfg, format, data) > MaxDecodedBytes {
		return Processed{}, apperr.New(apperr.TooLarge, "photo.too_large_decoded", MaxDecodedBytes>>20)
	}
	if err := p.acquire(ctx); err != nil {
		return Processed{}, err
	}
	defer p.release()
	return p.decode(data)
}

func (p *Processor) decode(data []byte) (Processed, error) {
	p.decoded.Add(1)
	if p.onDecode != nil {
		p.onDecode()
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Processed{}, apperr.New(apperr.Unsupported, "photo.not_image")
	}
	// Scale first, then turn upright: the rotation then copies at most MaxSide² pixels, not the
	// whole original.
	o := orientation(data)
	full := upright(scale(img, MaxSide), o)
	thumb := upright(scale(img, ThumbSide), o)
	var out, small bytes.Buffer
	if err := jpeg.Encode(&out, full, &jpeg.Options{Quality: JPEGQuality}); err != nil {
		return Processed{}, err
	}
	if err := jpeg.Encode(&small, thumb, &jpeg.Options{Quality: 75}); err != nil {
		return Processed{}, err
	}
	b := full.Bounds()
	return Processed{JPEG: out.Bytes(), Thumbnail: small.Bytes(), Width: b.Dx(), Height: b.Dy()}, nil
}

// isHEIC recognises an ISO BMFF file of brand heic/heix/mif1 (iPhone photos).
func isHEIC(b []byte) bool {
	if len(b) < 12 || string(b[4:8]) != "ftyp" {
		return false
	}
	switch string(b[8:12]) {
	case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1":
		return true
	}
	return false
}

// orientation reads the EXIF orientation (1 when absent or unreadable).
func orientation(data []byte) int {
	x, err := exif.Decode(bytes.NewReader(data))
	if err != nil {
		return 1
	}
	tag, err := x.Get(exif.Orientation)
	if err != nil {
		return 1
	}
	v, err := tag.Int(0)
	if err != nil || v < 1 || v > 8 {
		return 1
	}
	return v
}

// upright applies an EXIF orientation (1–8) so the stored picture needs no metadata.
func upright(src image.Image, o int) image.Image {
	if o == 1 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// scale fits img into a square of side max, keeping its proportions (never enlarging).
func scale(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		if rgba, ok := img.(*image.RGBA); ok {
			return rgba
		}
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
		return dst
	}
	nw, nh := max, h*max/w
	if h > w {
		nw, nh = w*max/h, max
	}
	dst := image.NewRGBA(image.Rect(0, 0, max1(nw), max1(nh)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
