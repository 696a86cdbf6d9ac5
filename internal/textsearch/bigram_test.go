package textsearch

import (
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	cases := map[string]string{
		"路灯损坏":                 "路灯 灯损 损坏",
		"噪音":                   "噪音",
		"灯":                    "灯",
		"东海街道 3号楼 LED路灯坏了!":    "东海 海街 街道 3 号楼 led 路灯 灯坏 坏了",
		"Noise at 22:00, 噪声扰民": "noise at 22 00 噪声 声扰 扰民",
		"":                     "",
	}
	for in, want := range cases {
		if got := strings.Join(Tokens(in), " "); got != want {
			t.Errorf("Tokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQueries(t *testing.T) {
	if got := FTS5Query(`路灯 噪音"`); got != `"路灯" AND "噪音"` {
		t.Errorf("FTS5Query: %s", got)
	}
	if got := FTS5Query(`垃圾满溢`); got != `"垃圾 圾满 满溢"` {
		t.Errorf("FTS5Query: %s", got)
	}
	if got := TSQuery(`垃圾满溢 东海`); got != `(垃圾 <-> 圾满 <-> 满溢) & (东海)` {
		t.Errorf("TSQuery: %s", got)
	}
	if FTS5Query(`"*:^-()`) != "" || TSQuery(`!&|`) != "" {
		t.Error("syntax characters leaked into a query")
	}
}

func FuzzQueriesAreSafe(f *testing.F) {
	f.Add(`路灯 "AND" OR *`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokens(s) {
			if strings.ContainsAny(tok, ` "'*:^()&|!<>-`) {
				t.Fatalf("token %q of %q carries syntax", tok, s)
			}
		}
	})
}
