package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/directory/hours"
	"github.com/yiwang-gov/yiwang/internal/directory/search"
)

// snapshot is the published directory in memory: every entry and place, and the search index
// built from them. A district's directory is thousands of entries at most, so every node keeps it
// whole and rebuilds it when any node publishes a change (db.Versioned, key directory_version).
type snapshot struct {
	services  []*Service // by name
	byID      map[string]*Service
	places    []*Place // by code
	placeByID map[string]*Place
	units     map[string]string // org code → name
	unitPaths map[string]string // org code → path
	synonyms  [][]string
	// index is built on the first search of the snapshot, not when it is loaded: a node that
	// only edits, or a test that never searches, does not pay for segmentation and pinyin.
	index func() *search.Index
	stale int // months
}

func (d *Directory) source() db.VersionSource[*snapshot] {
	return db.VersionSource[*snapshot]{DB: d.DB, Key: versionKey, Every: d.RecheckEvery, Now: d.Now, Load: d.load}
}

func (d *Directory) current(ctx context.Context) (*snapshot, error) {
	return d.cache.Get(ctx, d.source())
}

func (d *Directory) load(ctx context.Context) (*snapshot, error) {
	s := &snapshot{byID: map[string]*Service{}, placeByID: map[string]*Place{}, units: map[string]string{},
		unitPaths: map[string]string{}, stale: DefaultStaleMonths}
	q := d.DB.Prepared()
	rows, err := q.QueryContext(ctx, `SELECT code, name, path FROM org_nodes`)
	if err != nil {
		return nil, fmt.Errorf("directory units: %w", err)
	}
	for rows.Next() {
		var code, name, path string
		if err := rows.Scan(&code, &name, &path); err != nil {
			rows.Close()
			return nil, err
		}
		s.units[code], s.unitPaths[code] = name, path
	}
	rows.Close()
	if s.places, err = d.readPlaces(ctx, q); err != nil {
		return nil, err
	}
	for _, p := range s.places {
		s.placeByID[p.ID] = p
	}
	if s.services, err = d.readServices(ctx, q); err != nil {
		return nil, err
	}
	for _, sv := range s.services {
		sv.UnitName = s.units[sv.UnitCode]
		s.byID[sv.ID] = sv
		for _, id := range sv.placeIDs {
			if p, ok := s.placeByID[id]; ok {
				sv.Places = append(sv.Places, *p)
			}
		}
	}
	if s.synonyms, err = d.readSynonyms(ctx, q); err != nil {
		return nil, err
	}
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, staleKey).Scan(&v); err == nil {
		fmt.Sscan(v, &s.stale)
	} else if err != sql.ErrNoRows {
		return nil, err
	}
	s.index = sync.OnceValue(func() *search.Index { return search.Build(docs(s), s.synonyms) })
	return s, nil
}

// docs is what the search index reads of each entry.
func docs(s *snapshot) []search.Doc {
	out := make([]search.Doc, 0, len(s.services))
	for _, sv := range s.services {
		doc := search.Doc{ID: sv.ID, Name: sv.Name, Aliases: sv.Aliases, Category: sv.Category, Online: sv.Online,
			Keywords: []string{categoryWords[sv.Category], sv.UnitName},
			Text:     strings.Join(append([]string{sv.Description, sv.Fees, sv.ProcessingTime}, sv.Materials...), " ")}
		for _, p := range sv.Places {
			doc.Keywords = append(doc.Keywords, p.Name)
			doc.Places = append(doc.Places, search.Point{Lat: p.Lat, Lng: p.Lng})
		}
		out = append(out, doc)
	}
	return out
}

// categoryWords are the words residents use for each category, searched as text: the catalogue's
// names are for display, these are for finding (社保 finds 灵活就业人员参保登记).
var categoryWords = map[string]string{
	"social_insurance": "社保 社会保险", "medical_insurance": "医保 医疗保险", "household": "户籍 户口",
	"civil_affairs": "民政", "disability": "残联 残疾人", "family_planning": "计生 计划生育 生育",
	"elderly": "老龄 老年人", "employment": "就业 找工作", "education": "教育 上学", "health": "医疗 看病 卫生",
	"culture_sports": "文体 文化 体育", "convenience": "便民 生活服务",
}

const serviceColumns = `id, name, aliases, category, description, materials, fees, processing_time, legal_basis,
	online, online_url, unit_code, path, place_ids, version, reviewed_at, reviewed_by_name, updated_at`

func scanService(r db.Scanner) (*Service, error) {
	sv := &Service{}
	var aliases, materials, places string
	err := r.Scan(&sv.ID, &sv.Name, &aliases, &sv.Category, &sv.Description, &materials, &sv.Fees, &sv.ProcessingTime,
		&sv.LegalBasis, &sv.Online, &sv.OnlineURL, &sv.UnitCode, &sv.path, &places, &sv.Version, &sv.ReviewedAt,
		&sv.ReviewedByName, &sv.UpdatedAt)
	if err != nil {
		return nil, err
	}
	sv.ReviewedAt, sv.UpdatedAt = sv.ReviewedAt.UTC(), sv.UpdatedAt.UTC()
	sv.Aliases, sv.Materials, sv.placeIDs = list(aliases), list(materials), list(places)
	sv.Places = []Place{}
	return sv, nil
}

func (d *Directory) readServices(ctx context.Context, q db.PreparedReader) ([]*Service, error) {
	list, err := db.QueryAll(ctx, q, scanService, `SELECT `+serviceColumns+` FROM services ORDER BY name, unit_code`)
	if err != nil {
		return nil, fmt.Errorf("read services: %w", err)
	}
	return list, nil
}

const placeColumns = `id, code, name, kind, unit_code, path, address, lat, lng, phone, hours, serves, updated_at`

func scanPlace(r db.Scanner) (*Place, error) {
	p := &Place{}
	var h, serves string
	err := r.Scan(&p.ID, &p.Code, &p.Name, &p.Kind, &p.UnitCode, &p.path, &p.Address, &p.Lat, &p.Lng, &p.Phone, &h, &serves, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(h), &p.Hours); err != nil {
		return nil, fmt.Errorf("hours of place %s: %w", p.Code, err)
	}
	p.HoursText, p.Serves, p.Today = hours.Format(p.Hours), list(serves), []hours.Period{}
	return p, nil
}

func (d *Directory) readPlaces(ctx context.Context, q db.PreparedReader) ([]*Place, error) {
	list, err := db.QueryAll(ctx, q, scanPlace, `SELECT `+placeColumns+` FROM service_places ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	return list, nil
}

func (d *Directory) readSynonyms(ctx context.Context, q db.PreparedReader) ([][]string, error) {
	words, err := db.Strings(ctx, q, `SELECT words FROM service_synonyms ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read synonyms: %w", err)
	}
	groups := [][]string{}
	for _, w := range words {
		groups = append(groups, list(w))
	}
	return groups, nil
}

// list reads a JSON array of strings; a broken one reads as empty rather than failing the whole
// directory.
func list(s string) []string {
	out := []string{}
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

// jsonList writes a list as a JSON array (never null).
func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}
