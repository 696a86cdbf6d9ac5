package web

import "testing"

// TestSafeNextRefusesOffSiteForms: 等保 2.0 (GB/T 22239-2019 8.1.4 应用安全, input validation) —
// the sign-in page and the language switch must never send the browser to another site. Each form
// below is one a browser resolves off-site (or to a scheme) after decoding, cleaning and dropping
// tabs and newlines, the way the WHATWG URL parser does.
func TestSafeNextRefusesOffSiteForms(t *testing.T) {
	offSite := []string{
		"//evil.com",
		"///evil.com",
		"////evil.com/x",
		"/\\evil.com",
		"\\\\evil.com",
		"\\/evil.com",
		"/%5Cevil.com",
		"/%5cevil.com",
		"/./%5Cevil.com",
		"/.//evil.com",
		"/a/..//evil.com",
		"/a/../%2Fevil.com",
		"/%2F%2Fevil.com",
		"/%2fevil.com",
		"/%252F%252Fevil.com",
		"/\t/evil.com",
		"/\n/evil.com",
		"/\r/evil.com",
		"/%09/evil.com",
		"/%0d%0a/evil.com",
		"/\x00/evil.com",
		"/%00",
		"https://evil.com",
		"HTTPS://evil.com",
		" https://evil.com",
		"javascript:alert(1)",
		"/javascript:alert(1)//x/../..//evil.com",
		"data:text/html,<script>",
		"evil.com",
		"http:/evil.com",
		"http:evil.com",
		"/\u3000/evil.com",
		"/%E3%80%80/evil.com",
		"/\xff",
		"/%ff",
		"/..%2F..%2F%2Fevil.com",
	}
	for _, in := range offSite {
		if got := safeNext(in); got != "/" {
			t.Errorf("safeNext(%q) = %q, want \"/\"", in, got)
		}
	}
	sameSite := map[string]string{
		"/":                           "/",
		"/org":                        "/org",
		"/cases/123?tab=events":       "/cases/123?tab=events",
		"/audit?actor=x&result=ok":    "/audit?actor=x&result=ok",
		"/cases?q=%E4%BA%95%E7%9B%96": "/cases?q=%E4%BA%95%E7%9B%96",
		"/cases#photos":               "/cases#photos",
	}
	for in, want := range sameSite {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
