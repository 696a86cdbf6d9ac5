package search

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
)

// fixture is testdata/services.json: the daily services of a made-up city district, its places
// and the editors' synonym groups.
type fixture struct {
	Synonyms [][]string       `json:"synonyms"`
	Places   map[string]Point `json:"places"`
	Services []struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		Aliases     []string `json:"aliases"`
		Category    string   `json:"category"`
		Unit        string   `json:"unit"`
		Description string   `json:"description"`
		Materials   []string `json:"materials"`
		Fees        string   `json:"fees"`
		Online      bool     `json:"online"`
		Places      []string `json:"places"`
	} `json:"services"`
}

// categoryWords are the words each category is found by, as the directory package passes them.
var categoryWords = map[string]string{
	"social_insurance": "社保 社会保险", "medical_insurance": "医保 医疗保险", "household": "户籍 户口",
	"civil_affairs": "民政", "disability": "残联 残疾人", "family_planning": "计生 计划生育 生育",
	"elderly": "老龄 老年人", "employment": "就业 找工作", "education": "教育 上学", "health": "医疗 看病 卫生",
	"culture_sports": "文体 文化 体育", "convenience": "便民 生活服务", "legal": "法律 司法", "housing": "住房 房产",
}

var loadFixture = sync.OnceValues(func() (fixture, error) {
	var f fixture
	b, err := os.ReadFile("testdata/services.json")
	if err != nil {
		return f, err
	}
	return f, json.Unmarshal(b, &f)
})

// fixtureDocs are the fixture's services as the directory package turns entries into documents.
func fixtureDocs(t testing.TB) ([]Doc, [][]string) {
	t.Helper()
	f, err := loadFixture()
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	docs := make([]Doc, 0, len(f.Services))
	for _, s := range f.Services {
		d := Doc{ID: s.ID, Name: s.Name, Aliases: s.Aliases, Category: s.Category, Online: s.Online,
			Keywords: []string{categoryWords[s.Category], s.Unit},
			Text:     strings.Join(append([]string{s.Description, s.Fees}, s.Materials...), " ")}
		for _, name := range s.Places {
			p, ok := f.Places[name]
			if !ok {
				t.Fatalf("service %s: unknown place %s", s.ID, name)
			}
			d.Keywords = append(d.Keywords, name)
			d.Places = append(d.Places, p)
		}
		docs = append(docs, d)
	}
	return docs, f.Synonyms
}

var fixtureOnce struct {
	sync.Once
	ix *Index
}

// fixtureIndex is the index of the fixture, built once for the package's tests.
func fixtureIndex(t testing.TB) *Index {
	t.Helper()
	docs, synonyms := fixtureDocs(t)
	fixtureOnce.Do(func() { fixtureOnce.ix = Build(docs, synonyms) })
	return fixtureOnce.ix
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}
