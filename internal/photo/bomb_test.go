package photo

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/photo/phototest"
)

// A 6000×6000 16-bit RGBA PNG is 36 MP (under MaxPixels) and a few megabytes on the wire, but
// 288 MB once decoded: it must be refused from its header, without decoding.
func TestProcessRefusesDecodedSizeFromHeader(t *testing.T) {
	data := phototest.BombPNG(6000, 6000)
	if len(data) > MaxBytes {
		t.Fatalf("fixture is %d bytes, over the upload limit", len(data))
	}
	p := NewProcessor(1)
	_, err := p.Process(context.Background(), data)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.TooLarge || e.Key != "photo.too_large_decoded" {
		t.Fatalf("bomb not refused as too large once decoded: %v", err)
	}
	if checked, decoded := p.Stats(); checked != 1 || decoded != 0 {
		t.Fatalf("checked %d, decoded %d; want 1 and 0", checked, decoded)
	}
}

func TestDecodedBytesFromColourModelAndFrame(t *testing.T) {
	var buf bytes.Buffer
	jpeg.Encode(&buf, sample(64, 32), nil) // Go writes baseline 4:2:0
	baseline := append([]byte(nil), buf.Bytes()...)
	progressive := append([]byte(nil), baseline...)
	sof := bytes.Index(progressive, []byte{0xFF, 0xC0})
	if sof < 0 {
		t.Fatal("no SOF0 in fixture")
	}
	progressive[sof+1] = 0xC2
	for name, tc := range map[string]struct {
		cfg    image.Config
		format string
		data   []byte
		want   int64
	}{
		"png rgba64":             {image.Config{ColorModel: color.NRGBA64Model, Width: 6000, Height: 6000}, "png", nil, 288_000_000},
		"png rgba":               {image.Config{ColorModel: color.NRGBAModel, Width: 100, Height: 10}, "png", nil, 4000},
		"png gray":               {image.Config{ColorModel: color.GrayModel, Width: 100, Height: 10}, "png", nil, 1000},
		"png paletted":           {image.Config{ColorModel: color.Palette{color.Black}, Width: 100, Height: 10}, "png", nil, 1000},
		"jpeg baseline 4:2:0":    {image.Config{ColorModel: color.YCbCrModel, Width: 1000, Height: 1000}, "jpeg", baseline, 1_500_000},
		"jpeg progressive 4:2:0": {image.Config{ColorModel: color.YCbCrModel, Width: 1000, Height: 1000}, "jpeg", progressive, 7_500_000},
		"jpeg unreadable frame":  {image.Config{ColorModel: color.YCbCrModel, Width: 1000, Height: 1000}, "jpeg", []byte{0xFF, 0xD8, 0}, 20_000_000},
	} {
		if got := decodedBytes(tc.cfg, tc.format, tc.data); got != tc.want {
			t.Errorf("%s: %d bytes, want %d", name, got, tc.want)
		}
	}
}

func smallPNG(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, sample(16, 16)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// With two slots, five uploads at once decode two at a time; all five finish.
func TestProcessorBoundsConcurrentDecodes(t *testing.T) {
	data := smallPNG(t)
	synctest.Test(t, func(t *testing.T) {
		p := NewProcessor(2)
		gate := make(chan struct{})
		var inside atomic.Int32
		p.onDecode = func() {
			inside.Add(1)
			<-gate
			inside.Add(-1)
		}
		var wg sync.WaitGroup
		errs := make([]error, 5)
		for i := range errs {
			wg.Go(func() { _, errs[i] = p.Process(context.Background(), data) })
		}
		synctest.Wait() // every goroutine is now blocked: in a slot or waiting for one
		if n := inside.Load(); n != 2 {
			t.Fatalf("%d decodes at once, want 2", n)
		}
		close(gate)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("upload %d: %v", i, err)
			}
		}
		if _, decoded := p.Stats(); decoded != 5 {
			t.Errorf("decoded %d, want 5", decoded)
		}
	})
}

// A request cancelled while it waits for a slot leaves the queue at once, undecoded.
func TestProcessorCancelledWaiterLeavesQueue(t *testing.T) {
	data := smallPNG(t)
	synctest.Test(t, func(t *testing.T) {
		p := NewProcessor(1)
		gate := make(chan struct{})
		p.onDecode = func() { <-gate }
		done := make(chan struct{})
		go func() { defer close(done); p.Process(context.Background(), data) }()
		synctest.Wait() // the first holds the only slot
		ctx, cancel := context.WithCancel(context.Background())
		waited := make(chan error, 1)
		go func() { _, err := p.Process(ctx, data); waited <- err }()
		synctest.Wait()
		cancel()
		if err := <-waited; !errors.Is(err, context.Canceled) || apperr.CodeOf(err) != apperr.TooMany {
			t.Fatalf("cancelled waiter: %v", err)
		}
		if _, decoded := p.Stats(); decoded != 1 {
			t.Fatalf("decoded %d, want only the first", decoded)
		}
		close(gate)
		<-done
	})
}

// BenchmarkProcessBomb: the cost of refusing the 6000×6000 16-bit PNG (was a full decode: ~5 s,
// 288 MB).
func BenchmarkProcessBomb(b *testing.B) {
	data := phototest.BombPNG(6000, 6000)
	p := NewProcessor(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Process(context.Background(), data); apperr.CodeOf(err) != apperr.TooLarge {
			b.Fatal(err)
		}
	}
}
