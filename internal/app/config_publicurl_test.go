package app

import (
	"flag"
	"os"
	"testing"
)

// --public-url starts the links of text messages: a site address without a path, or nothing.
func TestPublicURLFlag(t *testing.T) {
	t.Setenv("YIWANG_PUBLIC_URL", "")
	os.Unsetenv("YIWANG_PUBLIC_URL")
	parse := func(args ...string) (Config, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		get := Flags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return get()
	}
	if cfg, err := parse(); err != nil || cfg.PublicURL != "" {
		t.Errorf("default: %q %v", cfg.PublicURL, err)
	}
	if cfg, err := parse("--public-url=https://yiwang.example.gov.cn/"); err != nil || cfg.PublicURL != "https://yiwang.example.gov.cn" {
		t.Errorf("with a trailing slash: %q %v", cfg.PublicURL, err)
	}
	for _, bad := range []string{"yiwang.example.gov.cn", "ftp://x.cn", "https://x.cn/app", "https://x.cn?a=1", "https://"} {
		if _, err := parse("--public-url=" + bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
