package search

import (
	"slices"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/coord"
)

func TestNearAndRadius(t *testing.T) {
	ix := fixtureIndex(t)
	f, _ := loadFixture()
	here := f.Places["东湖便民服务站"]
	hits := ix.Search(Query{Q: "便民", Near: &here, Limit: 100})
	if len(hits) < 10 || hits[0].DistanceM != 0 {
		t.Fatalf("便民 near 东湖便民服务站: %+v", hits[:min(3, len(hits))])
	}
	for i := 1; i < len(hits); i++ {
		a, b := hits[i-1], hits[i]
		if a.Score == b.Score && nearer(b.DistanceM, a.DistanceM) {
			t.Errorf("equal scores not nearer first: %+v before %+v", a, b)
		}
	}
	// The distance is to the entry's nearest place: 快递驿站 has three.
	docs, _ := fixtureDocs(t)
	for _, h := range hits {
		i := slices.IndexFunc(docs, func(d Doc) bool { return d.ID == h.ID })
		want := -1.0
		for _, p := range docs[i].Places {
			if m := coord.DistanceM(here.Lat, here.Lng, p.Lat, p.Lng); want < 0 || m < want {
				want = m
			}
		}
		if h.DistanceM != want {
			t.Errorf("%s: distance %.1f, want %.1f", h.ID, h.DistanceM, want)
		}
	}
	near := ix.Search(Query{Q: "便民", Near: &here, RadiusM: 1500, Limit: 100})
	if len(near) == 0 || len(near) >= len(hits) {
		t.Errorf("radius 1500 m kept %d of %d", len(near), len(hits))
	}
	for _, h := range near {
		if h.DistanceM < 0 || h.DistanceM > 1500 {
			t.Errorf("radius 1500 m kept %s at %.0f m", h.ID, h.DistanceM)
		}
	}
	for _, h := range ix.Search(Query{Q: "便民"}) {
		if h.DistanceM != -1 {
			t.Errorf("without Near %s has distance %v", h.ID, h.DistanceM)
		}
	}
}

func TestBlankQuery(t *testing.T) {
	ix := fixtureIndex(t)
	for _, q := range []string{"", "   ", "？！", "哪里可以办理"} {
		if hits := ix.Search(Query{Q: q}); hits != nil {
			t.Errorf("%q without filters: %v", q, ids(hits))
		}
	}
	// With a filter, a blank query lists what the filters keep by name (in pinyin order).
	want := []string{"legal-aid", "legal-consultation", "notary", "mediation"} // falü yuanzhu, falü zixun, gongzheng, renmin tiaojie
	for _, q := range []string{"", "在哪里办理"} {
		hits := ix.Search(Query{Q: q, Category: "legal"})
		if got := ids(hits); !slices.Equal(got, want) {
			t.Errorf("%q in legal: got %v, want %v", q, got, want)
		}
		if len(hits) > 0 && (hits[0].Match != "" || hits[0].Score != 0) {
			t.Errorf("a listed entry has a match: %+v", hits[0])
		}
	}
	f, _ := loadFixture()
	here := f.Places["区婚姻登记处"]
	hits := ix.Search(Query{Category: "civil_affairs", Near: &here, Limit: 3})
	if len(hits) != 3 || hits[0].DistanceM != 0 || hits[1].DistanceM != 0 || hits[2].DistanceM != 0 {
		t.Errorf("civil affairs near the marriage registry: %+v", hits)
	}
	if hits := ix.Search(Query{Online: true, Limit: 1000}); len(hits) == 0 || len(hits) >= ix.Len() {
		t.Errorf("online only listed %d of %d", len(hits), ix.Len())
	}
}

func TestLimit(t *testing.T) {
	ix := fixtureIndex(t)
	if n := len(ix.Search(Query{Q: "证"})); n != defaultLimit {
		t.Errorf("证 with no limit: %d hits, want %d", n, defaultLimit)
	}
	if n := len(ix.Search(Query{Q: "证", Limit: 3})); n != 3 {
		t.Errorf("证 with limit 3: %d hits", n)
	}
	all := ix.Search(Query{Q: "证", Limit: 1000})
	top := ix.Search(Query{Q: "证", Limit: 5})
	if !slices.Equal(ids(all[:5]), ids(top)) {
		t.Errorf("the best 5 of all %v differ from a search limited to 5 %v", ids(all[:5]), ids(top))
	}
}
