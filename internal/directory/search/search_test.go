package search

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	flag.Parse()
	start := time.Now()
	segmenter()
	if testing.Verbose() {
		fmt.Printf("gse dictionary loaded in %v\n", time.Since(start))
	}
	os.Exit(m.Run())
}

// TestSegmenterDictionary checks that gse has its dictionary: a binary built with gse's `ne` tag
// embeds none, and every character would be a word of its own.
func TestSegmenterDictionary(t *testing.T) {
	words, inner := hanWords("社保卡申领")
	if want := []span{{0, 9}, {9, 15}}; !slices.Equal(words, want) {
		t.Errorf("社保卡申领 splits %v, want 社保卡 申领 %v", words, want)
	}
	if want := []span{{0, 6}, {6, 9}}; !slices.Equal(inner, want) {
		t.Errorf("社保卡 has inner words %v, want 社保 卡 %v", inner, want)
	}
}

// TestSearchTop checks the first hit of what residents type, over the fixture. want is the
// expected first ID; wantCategory, where several entries are equally right (医保 starts four
// names), is the expected first hit's category.
func TestSearchTop(t *testing.T) {
	ix := fixtureIndex(t)
	cases := []struct {
		q            Query
		want         string
		wantCategory string
		wantMatch    Match
	}{
		// Chinese words.
		{q: Query{Q: "社保卡"}, want: "social-card-apply", wantMatch: MatchName},
		{q: Query{Q: "居住证"}, want: "residence-permit"},
		{q: Query{Q: "高龄津贴"}, want: "longevity-allowance"},
		{q: Query{Q: "低保"}, want: "minimum-living"},
		{q: Query{Q: "临时救助"}, want: "temporary-assistance", wantMatch: MatchName},
		{q: Query{Q: "健康证"}, want: "health-certificate"},
		{q: Query{Q: "失业登记"}, want: "unemployment-registration"},
		{q: Query{Q: "入学登记"}, want: "school-enrollment"},
		{q: Query{Q: "社区食堂"}, want: "senior-canteen"},
		{q: Query{Q: "快递"}, want: "parcel-station"},
		{q: Query{Q: "法律援助"}, want: "legal-aid"},
		{q: Query{Q: "公证"}, want: "notary"},
		{q: Query{Q: "不动产登记"}, want: "property-registration"},
		{q: Query{Q: "户口迁移"}, want: "hukou-transfer"},
		{q: Query{Q: "异地就医"}, want: "medical-insurance-remote"},
		{q: Query{Q: "残疾人"}, want: "disability-card"},
		{q: Query{Q: "医保"}, wantCategory: "medical_insurance"},
		{q: Query{Q: "慢性病"}, want: "chronic-disease", wantMatch: MatchText},
		// Natural phrases: stop-words around the words that matter.
		{q: Query{Q: "哪里可以打疫苗"}, want: "adult-vaccination"},
		{q: Query{Q: "我要办居住证"}, want: "residence-permit"},
		{q: Query{Q: "在哪里办老年卡"}, want: "senior-card"},
		{q: Query{Q: "社保卡丢了怎么办"}, want: "social-card-replace"},
		{q: Query{Q: "身份证丢了"}, want: "id-card-lost"},
		{q: Query{Q: "我想交社保"}, want: "flexible-employment-insurance"},
		{q: Query{Q: "办个健康证要多少钱"}, want: "health-certificate"},
		{q: Query{Q: "新生儿上户口"}, want: "newborn-hukou"},
		{q: Query{Q: "怎么办理生育登记"}, want: "birth-registration"},
		{q: Query{Q: "附近的快递驿站"}, want: "parcel-station"},
		{q: Query{Q: "下水道堵了"}, want: "pipe-dredge"},
		{q: Query{Q: "宝宝打疫苗"}, want: "newborn-vaccination"},
		{q: Query{Q: "取公积金"}, want: "housing-fund-withdrawal"},
		{q: Query{Q: "社保卡（补办）"}, want: "social-card-replace"},
		// Aliases.
		{q: Query{Q: "准生证"}, want: "birth-registration"},
		{q: Query{Q: "幼升小"}, want: "school-enrollment", wantMatch: MatchAlias},
		{q: Query{Q: "老人吃饭"}, want: "senior-canteen", wantMatch: MatchAlias},
		{q: Query{Q: "修空调"}, want: "appliance-repair", wantMatch: MatchAlias},
		{q: Query{Q: "过户"}, want: "property-registration"},
		{q: Query{Q: "领结婚证"}, want: "marriage-registration"},
		{q: Query{Q: "门特"}, want: "chronic-disease"},
		{q: Query{Q: "12348"}, want: "legal-consultation"},
		{q: Query{Q: "HPV"}, want: "adult-vaccination"},
		{q: Query{Q: "找工作"}, want: "job-fair"},
		// Through the editors' synonym groups.
		{q: Query{Q: "暂住证"}, want: "residence-permit", wantMatch: MatchName},
		{q: Query{Q: "老年卡"}, want: "senior-card"},
		{q: Query{Q: "保姆"}, want: "housekeeping"},
		{q: Query{Q: "狗证"}, want: "pet-registration"},
		{q: Query{Q: "zanzhuzheng"}, want: "residence-permit", wantMatch: MatchPinyin},
		// Full pinyin.
		{q: Query{Q: "shebao"}, want: "social-card-apply", wantMatch: MatchPinyin},
		{q: Query{Q: "juzhuzheng"}, want: "residence-permit", wantMatch: MatchPinyin},
		{q: Query{Q: "laonianka"}, want: "senior-card"},
		{q: Query{Q: "shequshitang"}, want: "senior-canteen"},
		{q: Query{Q: "kuaidi"}, want: "parcel-station"},
		{q: Query{Q: "dibao"}, want: "minimum-living"},
		{q: Query{Q: "yinhang"}, want: "social-card-activate"}, // 银行: 行 read hang, not its first reading xing
		{q: Query{Q: "yibao"}, wantCategory: "medical_insurance"},
		{q: Query{Q: "She Bao"}, want: "social-card-apply"},
		// Pinyin initials.
		{q: Query{Q: "sb"}, want: "social-card-apply", wantMatch: MatchPinyin},
		{q: Query{Q: "jzz"}, want: "residence-permit"},
		{q: Query{Q: "yb"}, wantCategory: "medical_insurance"},
		{q: Query{Q: "lnk"}, want: "senior-card"},
		{q: Query{Q: "sbk"}, want: "social-card-apply"},
		// Typos in pinyin: a letter wrong, missing, extra or swapped.
		{q: Query{Q: "shbao"}, want: "social-card-apply"},
		{q: Query{Q: "shebo"}, want: "social-card-apply"},
		{q: Query{Q: "sheboa"}, want: "social-card-apply"},
		{q: Query{Q: "yibo"}, wantCategory: "medical_insurance"},
		{q: Query{Q: "juzhuzhen"}, want: "residence-permit"},
		{q: Query{Q: "jzhuzheng"}, want: "residence-permit"},
		{q: Query{Q: "jiehundnegji"}, want: "marriage-registration"},
		{q: Query{Q: "gongjijng"}, wantCategory: "housing"},
		// Mixed Chinese and pinyin, full-width and upper case.
		{q: Query{Q: "社保ka"}, want: "social-card-apply"},
		{q: Query{Q: "办shebao"}, want: "social-card-apply"},
		{q: Query{Q: "ＳＨＥＢＡＯ"}, want: "social-card-apply"},
		{q: Query{Q: "ETC"}, want: "etc"},
		{q: Query{Q: "12345热线"}, want: "hotline-12345"},
		// Category words only.
		{q: Query{Q: "便民"}, wantCategory: "convenience", wantMatch: MatchText},
		{q: Query{Q: "文体"}, wantCategory: "culture_sports"},
		{q: Query{Q: "上学"}, wantCategory: "education"},
		{q: Query{Q: "民政"}, wantCategory: "civil_affairs"},
		// Filters.
		{q: Query{Q: "户口", Online: true}, want: "newborn-hukou"}, // 户口迁移 is done at a counter only
		{q: Query{Q: "登记", Category: "civil_affairs"}, want: "marriage-registration"},
		{q: Query{Q: "社保卡", Keep: func(id string) bool { return id != "social-card-apply" }}, want: "social-card-replace"},
		{q: Query{Q: "疫苗", Category: "health", Online: true}}, // none: both vaccination entries need a visit
	}
	category := map[string]string{}
	docs, _ := fixtureDocs(t)
	for _, d := range docs {
		category[d.ID] = d.Category
	}
	for _, c := range cases {
		hits := ix.Search(c.q)
		if c.want == "" && c.wantCategory == "" {
			if len(hits) != 0 {
				t.Errorf("%+v: want no hits, got %v", c.q, ids(hits))
			}
			continue
		}
		if len(hits) == 0 {
			t.Errorf("%q: no hits", c.q.Q)
			continue
		}
		top := hits[0]
		switch {
		case c.want != "" && top.ID != c.want:
			t.Errorf("%q: top %s (%s %.1f), want %s; hits %v", c.q.Q, top.ID, top.Match, top.Score, c.want, ids(hits[:min(5, len(hits))]))
		case c.wantCategory != "" && category[top.ID] != c.wantCategory:
			t.Errorf("%q: top %s in %s, want category %s", c.q.Q, top.ID, category[top.ID], c.wantCategory)
		case c.wantMatch != "" && top.Match != c.wantMatch:
			t.Errorf("%q: top %s matched %s, want %s", c.q.Q, top.ID, top.Match, c.wantMatch)
		}
		for _, h := range hits {
			if (c.q.Category != "" && category[h.ID] != c.q.Category) || (c.q.Keep != nil && !c.q.Keep(h.ID)) {
				t.Errorf("%q: hit %s is not kept by the filters", c.q.Q, h.ID)
			}
			if c.q.Online && !slices.ContainsFunc(docs, func(d Doc) bool { return d.ID == h.ID && d.Online }) {
				t.Errorf("%q: hit %s cannot be done online", c.q.Q, h.ID)
			}
		}
	}
}

// TestRankingTiers checks the order of the kinds of match for one query.
func TestRankingTiers(t *testing.T) {
	ix := Build([]Doc{
		{ID: "text", Name: "公租房申请", Text: "外地户籍需要提供居住证"},
		{ID: "keyword", Name: "随迁子女积分入学", Keywords: []string{"居住证"}},
		{ID: "alias-word", Name: "流动人口信息登记", Aliases: []string{"凭居住证入学"}},
		{ID: "alias-exact", Name: "来本区居住登记", Aliases: []string{"居住证"}},
		{ID: "alias-prefix", Name: "港澳台居民证件", Aliases: []string{"居住证港澳台"}},
		{ID: "name-word", Name: "新办居住证"},
		{ID: "name-prefix", Name: "居住证签注"},
		{ID: "name-exact", Name: "居住证"},
	}, nil)
	want := []string{"name-exact", "name-prefix", "name-word", "alias-exact", "alias-prefix", "alias-word", "keyword", "text"}
	if got := ids(ix.Search(Query{Q: "居住证"})); !slices.Equal(got, want) {
		t.Errorf("居住证: got %v, want %v", got, want)
	}
	// Pinyin ranks after every Chinese match of a name or alias, and before the text; a match
	// inside a word (老年 in 养老年金, which gse splits 养老 年金) ranks below pinyin.
	ix = Build([]Doc{
		{ID: "text", Name: "敬老服务", Text: "面向老年人"},
		{ID: "inside", Name: "养老年金领取"},
		{ID: "alias", Name: "优待证件", Aliases: []string{"老年卡"}},
		{ID: "name", Name: "老年优待证"},
	}, nil)
	hits := ix.Search(Query{Q: "老年"})
	if got, want := ids(hits), []string{"name", "alias", "inside", "text"}; !slices.Equal(got, want) {
		t.Errorf("老年: got %v, want %v", got, want)
	}
	inside := hits[2].Score
	hits = ix.Search(Query{Q: "laonian"})
	if len(hits) < 2 || hits[0].ID != "name" || hits[1].ID != "alias" || hits[1].Score >= scoreAliasWord || hits[1].Score <= inside {
		t.Errorf("laonian: got %+v, want name then alias, between the alias and inside-a-word scores", hits)
	}
	if slices.Contains(ids(hits), "inside") {
		t.Errorf("laonian found 老年 inside 养老年金: %v", ids(hits))
	}
}

// TestTiesShorterName checks that equal matches rank the shorter name first.
func TestTiesShorterName(t *testing.T) {
	ix := Build([]Doc{{ID: "long", Name: "社保卡挂失补办"}, {ID: "short", Name: "社保卡申领"}}, nil)
	if got := ids(ix.Search(Query{Q: "社保卡"})); !slices.Equal(got, []string{"short", "long"}) {
		t.Errorf("got %v", got)
	}
}

// TestStopWords checks that stop-words never decide a match.
func TestStopWords(t *testing.T) {
	ix := Build([]Doc{
		{ID: "stop-name", Name: "哪里都可以办"},
		{ID: "stop-text", Name: "成人疫苗接种", Text: "哪里可以打疫苗？社区卫生服务中心都可以。"},
		{ID: "other", Name: "家电维修", Text: "可以上门维修"},
	}, nil)
	for _, q := range []string{"哪里", "哪里可以", "我要办", "怎么办理", "在哪里 可以", "的了吗"} {
		if hits := ix.Search(Query{Q: q}); len(hits) != 0 {
			t.Errorf("%q: want no hits, got %v", q, ids(hits))
		}
	}
	if got := ids(ix.Search(Query{Q: "哪里可以打疫苗"})); !slices.Equal(got, []string{"stop-text"}) {
		t.Errorf("哪里可以打疫苗: got %v, want only the entry with 疫苗", got)
	}
}

// TestInnerWords checks that a query word matching nothing whole is searched by gse's words inside
// it: 丢了 is one word, which no entry holds; 丢 is in 丢失.
func TestInnerWords(t *testing.T) {
	ix := Build([]Doc{
		{ID: "apply", Name: "社保卡申领"},
		{ID: "replace", Name: "社保卡挂失补办", Text: "社保卡丢失后先挂失"},
	}, nil)
	if got := ids(ix.Search(Query{Q: "社保卡丢了"})); !slices.Equal(got, []string{"replace", "apply"}) {
		t.Errorf("社保卡丢了: got %v", got)
	}
}

// TestTypoLimits checks how many typos a pinyin query may have: none under four letters, one from
// four, two from eight.
func TestTypoLimits(t *testing.T) {
	ix := Build([]Doc{{ID: "card", Name: "社保卡申领"}, {ID: "permit", Name: "居住证办理"}}, nil)
	cases := map[string]string{
		"shbao":    "card",   // a letter missing
		"shebai":   "card",   // a letter wrong
		"shebbao":  "card",   // a letter extra
		"sehbao":   "card",   // two letters swapped
		"jzhuzhng": "permit", // two missing, eight letters
		"shbo":     "",       // two missing, four letters
		"sheb":     "card",   // typing: the start of a syllable
		"shb":      "",       // three letters: no typo forgiven
		"jzhuzhen": "permit", // eight letters, the end still being typed
	}
	for q, want := range cases {
		hits := ix.Search(Query{Q: q})
		if want == "" && len(hits) > 0 || want != "" && (len(hits) == 0 || hits[0].ID != want) {
			t.Errorf("%s: got %v, want %q", q, ids(hits), want)
		}
	}
}

// TestQueryWordsMustMatch checks that a query whose words match nothing finds nothing, even when a
// character of a word appears somewhere (火星签证 is not 家庭医生签约), while a natural phrase
// with one word no entry holds still finds what its other word names.
func TestQueryWordsMustMatch(t *testing.T) {
	ix := Build([]Doc{
		{ID: "doctor", Name: "家庭医生签约"},
		{ID: "permit", Name: "居住证申领", Text: "带居民身份证"},
		{ID: "card", Name: "社保卡挂失补办"},
		{ID: "marriage", Name: "结婚登记", Aliases: []string{"婚姻登记"}},
	}, nil)
	for q, want := range map[string][]string{"火星签证": nil, "火星": nil, "签证": nil, "我的社保卡坏了": {"card"}, "签约": {"doctor"},
		"不动产登记": nil, "婚姻登记": {"marriage"}} {
		if got := ids(ix.Search(Query{Q: q})); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", q, got, want)
		}
	}
}
