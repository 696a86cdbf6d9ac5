package photo

import (
	"errors"
	"io"
	"net/http"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// ReadUploads reads the files of a multipart/form-data request's "photo" fields (up to
// MaxPerAction, each up to MaxBytes), for any module that takes photos (a case's, a directive's
// done report). The caller checks the object and the caller's right before: a refused upload
// must cost neither the body nor a decode. Bad input is an apperr answer, never a 500.
func ReadUploads(w http.ResponseWriter, r *http.Request) ([][]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxPerAction*MaxBytes+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, apperr.New(apperr.TooLarge, "photo.too_large", MaxBytes>>20)
		}
		return nil, apperr.New(apperr.Unsupported, "photo.none")
	}
	defer r.MultipartForm.RemoveAll()
	var files [][]byte
	for _, fh := range r.MultipartForm.File["photo"] {
		if fh.Size > MaxBytes {
			return nil, apperr.New(apperr.TooLarge, "photo.too_large", MaxBytes>>20)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "photo.none")
		}
		b, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
		f.Close()
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "photo.none")
		}
		files = append(files, b)
	}
	return files, nil
}

// Serve answers a stored photo (or thumbnail): always JPEG, re-encoded on upload; private to the
// caller, who may keep it a day.
func Serve(w http.ResponseWriter, jpeg []byte) {
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(jpeg)
}
