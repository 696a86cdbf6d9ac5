package address

import "testing"

// BenchmarkIndexBuild500k builds the index of 500 000 addresses (what a node does at start and
// after an import). Run: go test ./internal/address -run '^$' -bench IndexBuild -benchtime 1x
func BenchmarkIndexBuild500k(b *testing.B) {
	entries := syntheticEntries(500000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		NewIndex(entries)
	}
}
