package main

import (
	"bytes"
	"os"
	"testing"
)

// The committed services.json is what the generator writes from the committed district.json and
// grids.geojson: an edit of the texts or of the district shows here until it is regenerated.
func TestServicesJSONIsUpToDate(t *testing.T) {
	got, err := servicesFrom("../data")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../data/services.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/demo/data/services.json is out of date: go run ./internal/demo/gendemo -out internal/demo/data -services-only")
	}
}
