package search

import (
	"slices"
	"testing"
)

// TestRebuildConcurrent searches one index from many goroutines while the next is built, as when
// editors publish; both answer alike.
func TestRebuildConcurrent(t *testing.T) {
	ix := fixtureIndex(t)
	docs, synonyms := fixtureDocs(t)
	queries := []string{"社保卡", "哪里可以打疫苗", "shebao", "sb", "shbao", "暂住证", "便民", "证"}
	next := make(chan *Index)
	go func() { next <- Build(docs, synonyms) }()
	done := make(chan bool)
	for range 4 {
		go func() {
			for _, q := range queries {
				ix.Search(Query{Q: q, Near: &Point{Lat: 30.6, Lng: 114.3}})
				ix.Suggest(q, 5)
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	rebuilt := <-next
	for _, q := range queries {
		if a, b := ids(ix.Search(Query{Q: q})), ids(rebuilt.Search(Query{Q: q})); !slices.Equal(a, b) {
			t.Errorf("%s: first build %v, second %v", q, a, b)
		}
	}
	if rebuilt.Len() != len(docs) {
		t.Errorf("rebuilt index has %d entries, want %d", rebuilt.Len(), len(docs))
	}
}

func TestEmptyIndex(t *testing.T) {
	ix := Build(nil, [][]string{{"居住证", "暂住证"}})
	if ix.Len() != 0 || ix.Search(Query{Q: "暂住证", Category: "household"}) != nil || ix.Suggest("居", 5) != nil {
		t.Error("an empty index found something")
	}
}

func TestDuplicateIDs(t *testing.T) {
	ix := Build([]Doc{{ID: "a", Name: "社保卡申领"}, {ID: "a", Name: "社保卡补办"}, {ID: "b", Name: "社保查询"}}, nil)
	if ix.Len() != 2 {
		t.Errorf("Len %d, want 2", ix.Len())
	}
	if got := ids(ix.Search(Query{Q: "补办"})); len(got) != 0 {
		t.Errorf("the second entry with ID a was indexed: %v", got)
	}
}

func FuzzSearch(f *testing.F) {
	for _, q := range []string{"社保卡", "哪里可以打疫苗", "shebao", "sb", "shbao", "社保ka", "ＳＨＥＢＡＯ", "12345", "", "  ",
		"\xff\xfe", "a", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "社保 社保 社保", "のり", "Ωmega"} {
		f.Add(q, 5)
	}
	ix := fixtureIndex(f)
	f.Fuzz(func(t *testing.T, q string, limit int) {
		limit %= 50
		hits := ix.Search(Query{Q: q, Limit: limit})
		want := limit
		if want <= 0 {
			want = defaultLimit
		}
		if len(hits) > want {
			t.Fatalf("%q limit %d: %d hits", q, limit, len(hits))
		}
		seen := map[string]bool{}
		for i, h := range hits {
			if seen[h.ID] {
				t.Fatalf("%q: %s twice", q, h.ID)
			}
			seen[h.ID] = true
			if i > 0 && h.Score > hits[i-1].Score {
				t.Fatalf("%q: hits out of order: %+v", q, hits)
			}
			if h.DistanceM != -1 || h.Score <= 0 || !slices.Contains([]Match{MatchName, MatchAlias, MatchPinyin, MatchText}, h.Match) {
				t.Fatalf("%q: odd hit %+v", q, h)
			}
		}
		if n := len(ix.Suggest(q, 5)); n > 5 {
			t.Fatalf("Suggest(%q, 5): %d", q, n)
		}
		if n := Normalize(q); Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q is not stable", q, n)
		}
	})
}
