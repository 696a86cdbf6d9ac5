package photo

import (
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"runtime"
	"sync/atomic"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// Processor runs photo decodes with a bound on how many run at once: each holds up to
// MaxDecodedBytes and a core for its whole duration, so without a bound a handful of parallel
// uploads takes the server's memory (issue 10: three 288 MB decodes at once took 4.2 GB).
type Processor struct {
	slots            chan struct{}
	checked, decoded atomic.Int64
	onDecode         func() // tests: called inside a slot, before decoding
}

// NewProcessor returns a processor allowing `concurrent` decodes at a time.
func NewProcessor(concurrent int) *Processor {
	return &Processor{slots: make(chan struct{}, max(concurrent, 1))}
}

// shared serves the whole process: the bound is on the machine's cores and memory, which every
// caller shares.
var shared = NewProcessor(runtime.GOMAXPROCS(0))

// Stats counts, since the process started, the photos Process was given and the ones it
// decoded in full; tests use it to show that a refusal cost no decode.
func Stats() (checked, decoded int64) { return shared.Stats() }

// Stats counts the photos given to p and the ones it decoded in full.
func (p *Processor) Stats() (checked, decoded int64) {
	return p.checked.Load(), p.decoded.Load()
}

// acquire waits for a free decode slot; a request that is cancelled or times out while waiting
// leaves the queue with a 429 "busy" that wraps its context's error.
func (p *Processor) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return apperr.Wrap(err, apperr.TooMany, "photo.busy")
	}
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return apperr.Wrap(ctx.Err(), apperr.TooMany, "photo.busy")
	}
}

func (p *Processor) release() { <-p.slots }

// decodedBytes estimates, from the header alone, the memory image.Decode will take: pixels ×
// bytes per pixel of the colour model it will return, and for a progressive JPEG also the
// DCT coefficients the decoder keeps for every block (an int32 per sample).
func decodedBytes(cfg image.Config, format string, data []byte) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if format == "jpeg" {
		samples, progressive, ok := jpegFrame(data)
		if !ok {
			samples = 4 // unreadable frame header: assume the worst (4 full components)
			progressive = true
		}
		total := samples
		if progressive {
			total += 4 * samples
		}
		return int64(float64(pixels) * total)
	}
	return pixels * bytesPerPixel(cfg.ColorModel)
}

// bytesPerPixel is the size of one pixel of the image type each colour model decodes to.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // unknown: the largest standard pixel
}

// jpegFrame reads a JPEG's frame header (SOFn): the samples per pixel its components take
// after subsampling (1.5 for 4:2:0 colour, 3 for 4:4:4) and whether it is progressive.
func jpegFrame(data []byte) (samples float64, progressive, ok bool) {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return 0, false, false
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		length := int(binary.BigEndian.Uint16(data[i+2:]))
		if length < 2 || i+2+length > len(data) {
			return 0, false, false
		}
		segment := data[i+4 : i+2+length]
		if marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
			return frameSamples(segment, marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE)
		}
		i += 2 + length
	}
	return 0, false, false
}

// frameSamples reads a SOF segment: precision, height, width, then per component its
// identifier, sampling factors (H<<4 | V) and quantisation table.
func frameSamples(sof []byte, progressive bool) (float64, bool, bool) {
	if len(sof) < 6 {
		return 0, false, false
	}
	n := int(sof[5])
	if n < 1 || n > 4 || len(sof) < 6+3*n {
		return 0, false, false
	}
	hmax, vmax, sum := 1, 1, 0
	for c := 0; c < n; c++ {
		hv := sof[6+3*c+1]
		h, v := int(hv>>4), int(hv&0x0F)
		if h < 1 || v < 1 {
			return 0, false, false
		}
		hmax, vmax, sum = max(hmax, h), max(vmax, v), sum+h*v
	}
	return float64(sum) / float64(hmax*vmax), progressive, true
}
