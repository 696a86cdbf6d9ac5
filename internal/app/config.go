// Package app is the one place that wires yiwang together: it builds every service from an
// explicit Config, mounts the routes, and runs the server.
package app

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything a yiwang process is told at start.
type Config struct {
	Addr            string
	DataDir         string
	DatabaseURL     string
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
	// Clock replaces the wall clock (tests); nil means time.Now.
	Clock func() time.Time
	// PasswordCost lowers the argon2id memory for tests ("test"); empty means the default.
	PasswordCost string
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
	{"secret-key", "YIWANG_SECRET_KEY", "64+ hex digits encrypting personal data; default: DATA/secret.key, created at first start (nodes sharing one PostgreSQL must share it)", ""},
	{"sms-webhook", "YIWANG_SMS_WEBHOOK", "URL that receives each SMS as JSON {phone,template,text}; empty: SMS are only logged (codes shown in demo mode)", ""},
	{"wechat-webhook", "YIWANG_WECHAT_WEBHOOK", "URL of the district's WeChat gateway that sends template messages ({touser,template_id,data}); empty: no WeChat channel", ""},
	{"wechat-template", "YIWANG_WECHAT_TEMPLATE", "WeChat template ID used for every notification text", ""},
	{"job-tick", "YIWANG_JOB_TICK", "how often a node looks for due periodic jobs (each period runs on one node)", "5s"},
	{"sla-every", "YIWANG_SLA_EVERY", "period of the SLA scan (warnings at 80 %, overdue notices) and review reminders", "1m"},
	{"secure-cookies", "YIWANG_SECURE_COOKIES", "mark session cookies Secure (set when served over HTTPS)", "false"},
	{"trust-proxy", "YIWANG_TRUST_PROXY", "take the client address from X-Forwarded-For (only behind your own reverse proxy)", "false"},
	{"idle-timeout", "YIWANG_IDLE_TIMEOUT", "sign a session out after this long without a request", "30m"},
	{"max-session", "YIWANG_MAX_SESSION", "sign a session out this long after sign-in", "12h"},
	{"max-failures", "YIWANG_MAX_FAILURES", "failed sign-ins before an account is locked", "5"},
	{"lock-for", "YIWANG_LOCK_FOR", "how long a locked account stays locked", "30m"},
	{"password-max-age", "YIWANG_PASSWORD_MAX_AGE", "staff must change their password after this long (0 = never)", "2160h"},
	{"shutdown-timeout", "YIWANG_SHUTDOWN_TIMEOUT", "how long in-flight requests may finish on SIGTERM", "20s"},
	{"log-format", "YIWANG_LOG_FORMAT", "log format: json or text", "json"},
	{"log-level", "YIWANG_LOG_LEVEL", "log level: debug, info, warn, error", "info"},
}

// Flags defines every option on fs; call Config after fs.Parse.
func Flags(fs *flag.FlagSet, only ...string) func() (Config, error) {
	values := map[string]*string{}
	for _, o := range options {
		if len(only) > 0 && !contains(only, o.name) {
			continue
		}
		def := o.def
		if v, ok := os.LookupEnv(o.env); ok {
			def = v
		}
		v := &textValue{s: def, boolean: o.def == "false" || o.def == "true"}
		fs.Var(v, o.name, fmt.Sprintf("%s (env %s)", o.help, o.env))
		values[o.name] = &v.s
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
		c.Demo, c.DemoPassword, c.AllowPublicDemo = boolean("demo"), get("demo-password"), boolean("allow-public-demo")
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
		c.LogFormat, c.LogLevel = get("log-format"), get("log-level")
		if len(errs) > 0 {
			return c, fmt.Errorf("%s", strings.Join(errs, "; "))
		}
		return c, nil
	}
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
}

func (v *textValue) String() string { return v.s }
func (v *textValue) Set(s string) error {
	v.s = s
	return nil
}
func (v *textValue) IsBoolFlag() bool { return v.boolean }
