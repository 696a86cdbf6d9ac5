package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestRedirectsStayOnSite: issue 10 item 4, through the real server. The language switch and the
// sign-in page of a signed-in caller redirect to next only when it is a path of this site; the
// forms a browser would take off-site go to "/".
func TestRedirectsStayOnSite(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	signedIn := s.Login(t, "resident1")
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, next := range []string{"/./%5Cevil.com", "/%5Cevil.com", "//evil.com", "/\\evil.com", "/%2F%2Fevil.com", "https://evil.com", "/%09/evil.com"} {
		for _, path := range []string{"/lang/en?next=", "/login?next="} {
			req, _ := http.NewRequest("GET", s.URL+path+url.QueryEscape(next), nil)
			req.Header.Set("Authorization", "Bearer "+signedIn.Token)
			resp, err := (&http.Client{CheckRedirect: noFollow}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
				t.Errorf("%s%s: %d Location %q, want 303 to /", path, next, resp.StatusCode, loc)
			}
		}
	}
	req, _ := http.NewRequest("GET", s.URL+"/lang/en?next="+url.QueryEscape("/cases?status=reported"), nil)
	resp, err := (&http.Client{CheckRedirect: noFollow}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/cases?status=reported" {
		t.Errorf("same-site next: Location %q", loc)
	}
}
