package notify

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// DeliveryFilterFrom reads the list's filters from query parameters.
func DeliveryFilterFrom(q map[string][]string) (DeliveryFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := DeliveryFilter{Status: DeliveryStatus(get("status")), Channel: get("channel"), Cursor: get("cursor")}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return f, apperr.New(apperr.Invalid, "request.bad_param", "limit", v)
		}
		f.Limit = n
	}
	return f, nil
}

func (h *HTTP) listDeliveries(w http.ResponseWriter, r *http.Request) {
	service := h.Deliveries
	// The caller first: a refused caller learns nothing about its parameters' problems.
	if _, err := need(r.Context()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	f, err := DeliveryFilterFrom(r.URL.Query())
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	page, err := service.List(r.Context(), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, page)
}

func (h *HTTP) retryDelivery(w http.ResponseWriter, r *http.Request) {
	d, err := h.Deliveries.Retry(r.Context(), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, d)
}
