package search

import (
	"slices"
	"testing"
)

func TestSuggest(t *testing.T) {
	ix := fixtureIndex(t)
	cases := []struct {
		prefix string
		first  string // the first suggested name
		has    string // a name among the suggestions
	}{
		{prefix: "社保", first: "社保卡申领"},
		{prefix: "居住", first: "居住证办理", has: "居住证签注"},
		{prefix: "老年", has: "老年优待证办理"},
		{prefix: "疫苗", has: "成人疫苗接种"},
		{prefix: "she", has: "社保卡申领"},
		{prefix: "shebaok", first: "社保卡申领"},
		{prefix: "sb", first: "社保卡申领"},
		{prefix: "jzz", first: "居住证办理"},
		{prefix: "yb", has: "医保异地就医备案"},
		{prefix: "12", first: "12345热线"},
		{prefix: "我要办居住证", first: "居住证办理"}, // nothing starts so: the best search hits
	}
	for _, c := range cases {
		got := ix.Suggest(c.prefix, 8)
		var names []string
		for _, s := range got {
			names = append(names, s.Name)
		}
		if len(got) == 0 || (c.first != "" && got[0].Name != c.first) || (c.has != "" && !slices.Contains(names, c.has)) {
			t.Errorf("Suggest(%q) = %v, want first %q, with %q", c.prefix, names, c.first, c.has)
		}
	}
	if got := ix.Suggest("s", 3); len(got) != 3 {
		t.Errorf("Suggest(s, 3) gave %d", len(got))
	}
	if got := ix.Suggest("", 8); got != nil {
		t.Errorf("Suggest of nothing: %v", got)
	}
}

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"  社保卡  ":         "社保卡",
		"ＳＨＥＢＡＯ":          "shebao",
		"社保卡（补办）":         "社保卡 补办",
		"Hello,   World!": "hello world",
		"１２３４５":           "12345",
		"社保\u3000卡":       "社保 卡",
		"\xff社保":          "社保",
		"？？？":             "",
		"":                "",
		"哪里 可以\t打疫苗\n":    "哪里 可以 打疫苗",
		"lǚ yóu":          "lǚ yóu",
		"ETC办理":           "etc办理",
		"HPV-疫苗 / 9价":     "hpv 疫苗 9价",
		"#社区食堂# @长安街道 ✓":  "社区食堂 长安街道",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
		if got := Normalize(want); got != want {
			t.Errorf("Normalize is not idempotent on %q: %q", want, got)
		}
	}
}

func TestSpell(t *testing.T) {
	sp := newSpeller()
	spelled := func(k string) (full []string) {
		for _, s := range sp.spell(k) {
			full = append(full, s.full)
		}
		return full
	}
	for k, want := range map[string]string{"银行": "yinhang", "重庆": "chongqing", "hpv疫苗": "hpvyimiao"} {
		if got := spelled(k); !slices.Contains(got, want) {
			t.Errorf("spellings of %s: %v, want %s among them", k, got, want)
		}
	}
	s := sp.spell("银行")
	if s[0].full != "yinxing" || s[0].alt || s[0].initials != "yx" || !s[1].alt {
		t.Errorf("银行: %+v, want the first reading first", s)
	}
	if got := sp.spell("重长行参地和着了"); len(got) != maxSpellings {
		t.Errorf("eight heteronyms gave %d spellings, want %d", len(got), maxSpellings)
	}
	if got := sp.spell("etc"); got != nil {
		t.Errorf("a text without Chinese has no spelling: %v", got)
	}
}
