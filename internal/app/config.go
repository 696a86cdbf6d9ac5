// Package app is the one place that wires yiwang together: it builds every service from an
// explicit Config, mounts the routes, and runs the server.
package app

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/basemap"
	"github.com/yiwang-gov/yiwang/internal/eval"
	"github.com/yiwang-gov/yiwang/internal/ratelimit"
)

// Config is everything a yiwang process is told at start.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	// PublicURL is the site's address as residents reach it (https://yiwang.example.gov.cn): the
	// links in text messages start with it. Empty: the link is the path alone.
	PublicURL       string
	Demo            bool
	DemoPassword    string
	AllowPublicDemo bool
	SecretKey       string
	SMSWebhook      string
	WeChatWebhook   string
	WeChatTemplate  string
	// JobTick is how often this node looks for due periodic jobs.
	JobTick time.Duration
	// SLAEvery is the period of the SLA scan and review reminders.
	SLAEvery        time.Duration
	SecureCookies   bool
	TrustProxy      bool
	IdleTimeout     time.Duration
	MaxSession      time.Duration
	MaxFailures     int
	LockFor         time.Duration
	PasswordMaxAge  time.Duration
	ShutdownTimeout time.Duration
	LogFormat       string
	LogLevel        string
	// RateLimits are the buckets every write and search draws on (GB/T 22239 资源控制).
	RateLimits ratelimit.Rules
	// AuditKeys and AuditAnchors are the audit chain's key file and anchor log, outside the
	// database (default DATA/audit.keys and DATA/audit.anchors); AuditAnchorEvery is how often
	// the chain's head is anchored (GB/T 22239 安全审计: records protected against deletion).
	AuditKeys, AuditAnchors string
	AuditAnchorEvery        time.Duration
	// Clock replaces the wall clock (tests); nil means time.Now.
	Clock func() time.Time
	// PasswordCost lowers the argon2id memory for tests ("test"); empty means the default.
	PasswordCost string

	// Briefings says which briefings leaders are sent (weekly on Mondays, monthly on the 1st).
	Briefings eval.Schedule

	// MFARequiredRoles are the roles whose accounts must sign in with a second factor (TOTP,
	// 等保 2.0 level 3: 双因素鉴别). Under --demo it is empty unless given explicitly, so the
	// demo's accounts sign in with the demo password alone.
	MFARequiredRoles []string

	// DemoHistory is how many synthetic historic cases --demo writes into a new demo district
	// (over DemoHistoryDays, indicators rebuilt after), so the 考核/排名 pages show a district at
	// work; 0: none.
	DemoHistory int

	// Tiles is the base map under the grids on every map page (--tiles): 天地图, an XYZ or WMTS
	// URL, an offline PMTiles or MBTiles file, or none (the grid polygons alone).
	Tiles basemap.Config
}

// option is one setting: a flag, its YIWANG_* environment variable and its help text.
type option struct {
	name, env, help, def string
}

// options is the table of every setting; flags override environment variables, which override
// the defaults.
var options = []option{
	{"addr", "YIWANG_ADDR", "address to listen on (HOST:PORT)", "127.0.0.1:8080"},
	{"data", "YIWANG_DATA", "data directory (SQLite database, secret key, uploaded files)", "./data"},
	{"db", "YIWANG_DB", "PostgreSQL URL (postgres://user@host/db); empty means SQLite in the data directory", ""},
	{"demo", "YIWANG_DEMO", "load the demo district into an empty database", "false"},
	{"demo-password", "YIWANG_DEMO_PASSWORD", "password of every demo account (generated and printed once when empty)", ""},
	{"allow-public-demo", "YIWANG_ALLOW_PUBLIC_DEMO", "let a demo listen on a non-loopback address", "false"},
	{"demo-history", "YIWANG_DEMO_HISTORY", "synthetic historic cases (over 400 days) --demo writes into a new demo district; 0: none", "20000"},
	{"secret-key", "YIWANG_SECRET_KEY", "key-encryption keys of personal data: 64+ hex digits each, comma-separated, the last one current (yiwang keys rotate-kek); default: DATA/secret.key, created at first start (nodes sharing one PostgreSQL must share it)", ""},
	{"public-url", "YIWANG_PUBLIC_URL", "the site's address as residents reach it (https://…, no path): links in text messages start with it; empty: the path alone", ""},
	{"sms-webhook", "YIWANG_SMS_WEBHOOK", "URL that receives each SMS as JSON {phone,template,text}; empty: SMS are only logged (codes shown in demo mode)", ""},
	{"wechat-webhook", "YIWANG_WECHAT_WEBHOOK", "URL of the district's WeChat gateway that sends template messages ({touser,template_id,data}); empty: no WeChat channel", ""},
	{"wechat-template", "YIWANG_WECHAT_TEMPLATE", "WeChat template ID used for every notification text", ""},
	{"job-tick", "YIWANG_JOB_TICK", "how often a node looks for due periodic jobs (each period runs on one node)", "5s"},
	{"sla-every", "YIWANG_SLA_EVERY", "period of the SLA scan (warnings at 80 %, overdue notices) and review reminders", "1m"},
	{"secure-cookies", "YIWANG_SECURE_COOKIES", "mark session cookies Secure (set when served over HTTPS)", "false"},
	{"trust-proxy", "YIWANG_TRUST_PROXY", "take the client address from X-Forwarded-For (only behind your own reverse proxy)", "false"},
	{"idle-timeout", "YIWANG_IDLE_TIMEOUT", "sign a session out after this long without a request", "30m"},
	{"max-session", "YIWANG_MAX_SESSION", "sign a session out this long after sign-in", "12h"},
	{"max-failures", "YIWANG_MAX_FAILURES", "failed sign-ins of one account from one client address before each further try must wait (a delay that doubles from 1 s); the account itself is never locked", "5"},
	{"lock-for", "YIWANG_LOCK_FOR", "the longest wait between sign-in tries of one account from one client address", "30m"},
	{"password-max-age", "YIWANG_PASSWORD_MAX_AGE", "staff must change their password after this long (0 = never)", "2160h"},
	{"mfa-required-roles", "YIWANG_MFA_REQUIRED_ROLES", "comma-separated roles that must sign in with a second factor (TOTP); empty: none (the default under --demo)", "sys_admin,sec_admin,audit_admin,leader"},
	{"rate-write-ip", "YIWANG_RATE_WRITE_IP", "writes (POST, PUT, PATCH, DELETE) a client address may send, as PER_MINUTE,BURST; 0: no limit (each node counts on its own)", ratelimit.DefaultRules.WritePerIP.String()},
	{"rate-write-account", "YIWANG_RATE_WRITE_ACCOUNT", "writes a signed-in account may send, as PER_MINUTE,BURST; 0: no limit", ratelimit.DefaultRules.WritePerAccount.String()},
	{"rate-search-ip", "YIWANG_RATE_SEARCH_IP", "searches and lists (API GETs with a query) a client address may send, as PER_MINUTE,BURST; 0: no limit", ratelimit.DefaultRules.SearchPerIP.String()},
	{"rate-search-account", "YIWANG_RATE_SEARCH_ACCOUNT", "searches and lists a signed-in account may send, as PER_MINUTE,BURST; 0: no limit", ratelimit.DefaultRules.SearchPerAccount.String()},
	{"audit-keys", "YIWANG_AUDIT_KEYS", "audit chain key file (version 1 made at first start; yiwang audit rotate-key adds versions); nodes sharing a database must share it; default: DATA/audit.keys", ""},
	{"audit-anchors", "YIWANG_AUDIT_ANCHORS", "append-only log where the audit chain's head is anchored outside the database (best on other storage); default: DATA/audit.anchors", ""},
	{"audit-anchor-every", "YIWANG_AUDIT_ANCHOR_EVERY", "how often the audit chain's head is anchored", "5m"},
	{"shutdown-timeout", "YIWANG_SHUTDOWN_TIMEOUT", "how long in-flight requests may finish on SIGTERM", "20s"},
	{"briefings", "YIWANG_BRIEFINGS", "briefings sent to the leaders of each subdistrict and of the district: weekly (Mondays, the week before), monthly (the 1st, the month before), weekly,monthly or none", "weekly,monthly"},
	{"tiles", "YIWANG_TILES", "base map under the grids: tianditu (天地图 WMTS, needs --tiles-key), xyz or wmts (--tiles-url), pmtiles or mbtiles (--tiles-file, served by the binary), none (the grids alone)", "none"},
	{"tiles-url", "YIWANG_TILES_URL", "tile URL template of --tiles xyz or wmts, with {z} {x} {y} (or {TileMatrix} {TileCol} {TileRow}); web mercator on WGS-84 only (no GCJ-02 sources)", ""},
	{"tiles-key", "YIWANG_TIANDITU_KEY", "the district's 天地图 browser key (tk) for --tiles tianditu; best given in the environment", ""},
	{"tiles-file", "YIWANG_TILES_FILE", "raster .pmtiles or .mbtiles file of --tiles pmtiles or mbtiles, served read-only", ""},
	{"tiles-attribution", "YIWANG_TILES_ATTRIBUTION", "text shown in the corner of every map (the source's name, 审图号); default for tianditu: 天地图", ""},
	{"tiles-max-zoom", "YIWANG_TILES_MAX_ZOOM", "deepest zoom the tile source has (the map enlarges past it); a file's own maximum wins", "18"},
	{"log-format", "YIWANG_LOG_FORMAT", "log format: json or text", "json"},
	{"log-level", "YIWANG_LOG_LEVEL", "log level: debug, info, warn, error", "info"},
}

// Flags defines every option on fs; call Config after fs.Parse.
func Flags(fs *flag.FlagSet, only ...string) func() (Config, error) {
	values := map[string]*string{}
	flags := map[string]*textValue{}
	for _, o := range options {
		if len(only) > 0 && !contains(only, o.name) {
			continue
		}
		def := o.def
		if v, ok := os.LookupEnv(o.env); ok {
			def = v
		}
		v := &textValue{s: def, boolean: o.def == "false" || o.def == "true", given: os.Getenv(o.env) != ""}
		fs.Var(v, o.name, fmt.Sprintf("%s (env %s)", o.help, o.env))
		values[o.name], flags[o.name] = &v.s, v
	}
	// given reports whether an option was set on the command line or in the environment.
	given := func(name string) bool {
		if v, ok := flags[name]; ok {
			return v.given
		}
		for _, o := range options {
			if o.name == name {
				return os.Getenv(o.env) != ""
			}
		}
		return false
	}
	return func() (Config, error) {
		get := func(name string) string {
			if v, ok := values[name]; ok {
				return *v
			}
			for _, o := range options {
				if o.name == name {
					if v, ok := os.LookupEnv(o.env); ok {
						return v
					}
					return o.def
				}
			}
			return ""
		}
		var c Config
		var errs []string
		boolean := func(name string) bool {
			b, err := strconv.ParseBool(get(name))
			if err != nil {
				errs = append(errs, fmt.Sprintf("-%s: want true or false", name))
			}
			return b
		}
		duration := func(name string) time.Duration {
			d, err := time.ParseDuration(get(name))
			if err != nil || d < 0 {
				errs = append(errs, fmt.Sprintf("-%s: want a duration such as 30m", name))
			}
			return d
		}
		c.Addr, c.DataDir, c.DatabaseURL = get("addr"), get("data"), get("db")
		c.PublicURL = strings.TrimRight(get("public-url"), "/")
		if u, perr := url.Parse(c.PublicURL); c.PublicURL != "" && (perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "") {
			errs = append(errs, "-public-url: want https://host[:port], without a path")
		}
		c.Demo, c.DemoPassword, c.AllowPublicDemo = boolean("demo"), get("demo-password"), boolean("allow-public-demo")
		history, herr := strconv.Atoi(get("demo-history"))
		if herr != nil || history < 0 {
			errs = append(errs, "-demo-history: want a number of cases, 0 or more")
		}
		c.DemoHistory = history
		c.SMSWebhook, c.WeChatWebhook, c.WeChatTemplate = get("sms-webhook"), get("wechat-webhook"), get("wechat-template")
		c.JobTick, c.SLAEvery = duration("job-tick"), duration("sla-every")
		if c.JobTick <= 0 {
			c.JobTick = 5 * time.Second
		}
		if c.SLAEvery <= 0 {
			c.SLAEvery = time.Minute
		}
		c.SecretKey, c.SecureCookies, c.TrustProxy = get("secret-key"), boolean("secure-cookies"), boolean("trust-proxy")
		c.IdleTimeout, c.MaxSession = duration("idle-timeout"), duration("max-session")
		c.LockFor, c.PasswordMaxAge, c.ShutdownTimeout = duration("lock-for"), duration("password-max-age"), duration("shutdown-timeout")
		n, err := strconv.Atoi(get("max-failures"))
		if err != nil || n < 1 {
			errs = append(errs, "-max-failures: want a positive number")
		}
		c.MaxFailures = n
		rate := func(name string) ratelimit.Rate {
			r, err := ratelimit.ParseRate(get(name))
			if err != nil {
				errs = append(errs, fmt.Sprintf("-%s: %v", name, err))
			}
			return r
		}
		c.RateLimits = ratelimit.Rules{WritePerIP: rate("rate-write-ip"), WritePerAccount: rate("rate-write-account"),
			SearchPerIP: rate("rate-search-ip"), SearchPerAccount: rate("rate-search-account")}
		c.LogFormat, c.LogLevel = get("log-format"), get("log-level")
		if c.Briefings, err = eval.ParseSchedule(get("briefings")); err != nil {
			errs = append(errs, "-"+err.Error())
		}
		c.AuditKeys, c.AuditAnchors, c.AuditAnchorEvery = get("audit-keys"), get("audit-anchors"), duration("audit-anchor-every")
		roles, err := mfaRoles(get("mfa-required-roles"))
		if err != nil {
			errs = append(errs, err.Error())
		}
		if c.Demo && !given("mfa-required-roles") {
			roles = nil
		}
		c.MFARequiredRoles = roles
		// The base map; its file is checked now (only by the commands that take --tiles), so
		// that a wrong file stops the start with what is wrong with it. Errors never quote the key.
		kind, err := basemap.ParseKind(get("tiles"))
		if err != nil {
			errs = append(errs, "-tiles: "+err.Error())
		}
		maxZoom, zerr := strconv.Atoi(get("tiles-max-zoom"))
		if zerr != nil {
			errs = append(errs, fmt.Sprintf("-tiles-max-zoom: want a zoom level from 1 to %d", basemap.MaxZoomLimit))
		}
		c.Tiles = basemap.Config{Kind: kind, URL: get("tiles-url"), Key: get("tiles-key"), File: get("tiles-file"),
			Attribution: get("tiles-attribution"), MaxZoom: maxZoom}
		if _, ok := values["tiles"]; ok && err == nil && zerr == nil {
			if base, err := basemap.Open(context.Background(), c.Tiles); err != nil {
				errs = append(errs, err.Error())
			} else {
				base.Close()
			}
		}
		if len(errs) > 0 {
			return c, fmt.Errorf("%s", strings.Join(errs, "; "))
		}
		return c, nil
	}
}

// mfaRoles parses the --mfa-required-roles list: known role names, comma-separated.
func mfaRoles(list string) ([]string, error) {
	var roles []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !access.Role(name).Valid() {
			return nil, fmt.Errorf("-mfa-required-roles: unknown role %q", name)
		}
		roles = append(roles, name)
	}
	return roles, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Defaults returns the configuration with every default (for tests).
func Defaults() Config {
	c, _ := Flags(flag.NewFlagSet("defaults", flag.ContinueOnError))()
	return c
}

// textValue holds a flag's text; boolean flags may be given without a value (--demo).
type textValue struct {
	s       string
	boolean bool
	given   bool // set on the command line or in the environment (not the default)
}

func (v *textValue) String() string { return v.s }
func (v *textValue) Set(s string) error {
	v.s, v.given = s, true
	return nil
}
func (v *textValue) IsBoolFlag() bool { return v.boolean }
