package i18n

import (
	"net/http/httptest"
	"sort"
	"testing"
)

func TestBothLanguagesHaveEveryKey(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := c.Keys(ZH), c.Keys(EN)
	sort.Strings(zh)
	for _, k := range zh {
		if !c.Has(EN, k) {
			t.Errorf("key %q has no English text", k)
		}
	}
	for _, k := range en {
		if !c.Has(ZH, k) {
			t.Errorf("key %q has no Chinese text", k)
		}
	}
	if len(zh) == 0 {
		t.Fatal("empty catalogue")
	}
}

func TestFromRequest(t *testing.T) {
	cases := []struct {
		url, cookie, accept, want string
	}{
		{"/", "", "", ZH},
		{"/", "", "en-US,en;q=0.9", EN},
		{"/", "", "zh-CN,zh;q=0.9,en;q=0.8", ZH},
		{"/", "", "fr-FR", ZH},
		{"/", "en", "zh-CN", EN},
		{"/?lang=zh-CN", "en", "en", ZH},
		{"/?lang=xx", "", "en", EN},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", tc.url, nil)
		if tc.cookie != "" {
			r.Header.Set("Cookie", "lang="+tc.cookie)
		}
		if tc.accept != "" {
			r.Header.Set("Accept-Language", tc.accept)
		}
		if got := FromRequest(r); got != tc.want {
			t.Errorf("%s cookie=%q accept=%q: got %s want %s", tc.url, tc.cookie, tc.accept, got, tc.want)
		}
	}
}

func TestTFallsBack(t *testing.T) {
	c := &Catalog{texts: map[string]map[string]string{ZH: {"a": "甲 %d"}, EN: {}}}
	if got := c.T(EN, "a", 3); got != "甲 3" {
		t.Errorf("fallback to zh: got %q", got)
	}
	if got := c.T(EN, "missing"); got != "missing" {
		t.Errorf("missing key: got %q", got)
	}
}
