// Package config reads Engage's configuration from, in rising precedence, an
// optional YAML file, ENGAGE_* environment variables and command-line flags.
// The result is a typed value passed down from main; nothing reads a global.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/rating"
)

// Config is everything Engage can be told.
type Config struct {
	// Database: PostgreSQL when DatabaseURL is set, else SQLite in DataDir.
	DataDir     string `yaml:"data"`
	DatabaseURL string `yaml:"database_url"`

	Addr       string        `yaml:"addr"`
	BaseURL    string        `yaml:"base_url"` // public URL, for links and cookies' Secure flag
	Demo       bool          `yaml:"demo"`
	LogFormat  string        `yaml:"log_format"` // text or json
	LogLevel   string        `yaml:"log_level"`  // debug, info, warn, error
	SessionTTL time.Duration `yaml:"session_ttl"`
	// Argon2 is the cost of new password hashes; zero means the production
	// cost. It is not read from a file or the environment: tests lower it.
	Argon2 auth.Argon2Params `yaml:"-"`
	// TrustProxy makes Engage read the client address from
	// X-Forwarded-For and the scheme from X-Forwarded-Proto, as written by
	// ProxyHops proxies in front of it (1 when unset).
	TrustProxy bool `yaml:"trust_proxy"`
	ProxyHops  int  `yaml:"proxy_hops"`
	// TrustedProxies are the addresses (CIDR prefixes) of the proxies
	// whose X-Forwarded-For is believed; setting them trusts the proxies
	// and replaces ProxyHops.
	TrustedProxies []string `yaml:"trusted_proxies"`

	OIDC auth.OIDCConfig `yaml:"oidc"`
	// SMTP sends inbox notifications by e-mail too when Host is set.
	SMTP notify.SMTPConfig `yaml:"smtp"`
	// AllowPrivateWebhooks lets webhooks and the Backstage pull
	// (BackstageURL) target private and loopback addresses (on by default
	// only for the demo).
	AllowPrivateWebhooks bool `yaml:"allow_private_webhooks"`
	// Currencies are the ISO 4217 codes the organisation prices, budgets
	// and bills in; none means rating.DefaultCurrencies.
	Currencies []string `yaml:"currencies"`

	// UsageWindow bounds the times of metered usage accepted, around now.
	UsageWindow UsageWindow `yaml:"usage_window"`
	// NewMemberLimit is how fast a new member of a community may post.
	NewMemberLimit discuss.PostLimit `yaml:"new_member_limit"`
	// MemoryLimitMiB is the Go runtime's soft memory limit for the server
	// (see memory.go); 0 sets none.
	MemoryLimitMiB int `yaml:"memory_limit_mib"`
	// BackstageURL, when set, is a Backstage catalog file the server
	// imports every BackstageInterval; on a public address unless
	// AllowPrivateWebhooks.
	BackstageURL      string        `yaml:"backstage_url"`
	BackstageInterval time.Duration `yaml:"backstage_interval"`
}

// OrganisationCurrencies returns the configured currencies as a set; Validate
// has checked them.
func (c Config) OrganisationCurrencies() rating.Currencies {
	cur, _ := rating.NewCurrencies(c.Currencies)
	return cur
}

// UsageWindow is how far back and ahead of now metered usage may be dated,
// written PAST,FUTURE as durations that may count days: 400d,2d.
type UsageWindow struct {
	Past, Future time.Duration
}

// DefaultUsageWindow takes usage of the last 400 days (thirteen months and
// a little) and up to two days ahead, for meters whose clocks run fast.
var DefaultUsageWindow = UsageWindow{Past: 400 * 24 * time.Hour, Future: 2 * 24 * time.Hour}

// String writes the window as it is read.
func (w UsageWindow) String() string { return days(w.Past) + "," + days(w.Future) }

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}

// Set reads PAST,FUTURE (a flag.Value).
func (w *UsageWindow) Set(s string) error {
	past, future, ok := strings.Cut(s, ",")
	if !ok {
		return fmt.Errorf("usage window %q: write PAST,FUTURE, such as 400d,2d", s)
	}
	var err error
	if w.Past, err = duration(past); err == nil {
		w.Future, err = duration(future)
	}
	if err != nil {
		return fmt.Errorf("usage window %q: %w", s, err)
	}
	if w.Past <= 0 || w.Future < 0 {
		return fmt.Errorf("usage window %q: the past must be longer than 0 and the future not negative", s)
	}
	return nil
}

// UnmarshalText reads the window from the configuration file.
func (w *UsageWindow) UnmarshalText(b []byte) error { return w.Set(string(b)) }

// duration reads a Go duration, or a whole number of days such as 400d.
func duration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.ParseInt(n, 10, 32)
		if err != nil || d < 0 || d > 36600 {
			return 0, fmt.Errorf("%q: write days as a whole number such as 400d", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: write a duration such as 400d or 48h", s)
	}
	return d, nil
}

// Default returns the configuration used when nothing is said.
func Default() Config {
	return Config{DataDir: "./data", Addr: "localhost:8080", LogFormat: "text", LogLevel: "info", SessionTTL: auth.DefaultSessionTTL,
		UsageWindow: DefaultUsageWindow, NewMemberLimit: discuss.DefaultPostLimit, BackstageInterval: time.Hour,
		MemoryLimitMiB: DefaultMemoryLimitMiB}
}

// Flags registers the database flags every subcommand shares, and, when
// server is true, the flags of `engage serve`. It returns a function that
// applies the file and environment underneath what the flags set.
func Flags(fs *flag.FlagSet, cfg *Config, server bool) func() error {
	file := fs.String("config", os.Getenv("ENGAGE_CONFIG"), "optional YAML configuration file (env ENGAGE_CONFIG)")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "directory of the embedded SQLite database (env ENGAGE_DATA)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "postgres:// URL; when set, PostgreSQL is used instead of SQLite (env ENGAGE_DATABASE_URL)")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log format: text or json (env ENGAGE_LOG_FORMAT)")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log level: debug, info, warn or error (env ENGAGE_LOG_LEVEL)")
	fs.Func("currencies", "comma-separated ISO 4217 codes the organisation uses (default "+strings.Join(rating.DefaultCurrencies, ",")+"; env ENGAGE_CURRENCIES)", func(v string) error {
		cfg.Currencies = splitList(v)
		return nil
	})
	fs.Var(&cfg.NewMemberLimit, "new-member-limit", "community members of less than NEWFOR post at most POSTS times an hour, as POSTS,NEWFOR such as 5,7d (env ENGAGE_NEW_MEMBER_LIMIT)")
	fs.Var(&cfg.UsageWindow, "usage-window", "metered usage accepted from PAST before now to FUTURE after, such as 400d,2d (env ENGAGE_USAGE_WINDOW)")
	// The server and the commands that import (engage import spend…) run
	// under the same soft memory limit.
	fs.IntVar(&cfg.MemoryLimitMiB, "memory-limit-mib", cfg.MemoryLimitMiB, "soft memory limit in MiB, past which Go collects garbage more often; 0 for none; GOMEMLIMIT wins when set (env ENGAGE_MEMORY_LIMIT_MIB)")
	if server {
		fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on (env ENGAGE_ADDR)")
		fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "public URL of this Engage, such as https://engage.example.com (env ENGAGE_BASE_URL)")
		fs.BoolVar(&cfg.Demo, "demo", cfg.Demo, "load the demo organisation into an empty database (env ENGAGE_DEMO)")
		fs.DurationVar(&cfg.SessionTTL, "session-ttl", cfg.SessionTTL, "how long an idle session lasts (env ENGAGE_SESSION_TTL)")
		fs.StringVar(&cfg.BackstageURL, "backstage-url", cfg.BackstageURL, "http(s) URL of a Backstage catalog file to import on an interval; off when empty (env ENGAGE_BACKSTAGE_URL)")
		fs.DurationVar(&cfg.BackstageInterval, "backstage-interval", cfg.BackstageInterval, "how often --backstage-url is imported, at least 1m (env ENGAGE_BACKSTAGE_INTERVAL)")
		fs.BoolVar(&cfg.TrustProxy, "trust-proxy", cfg.TrustProxy, "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy (env ENGAGE_TRUST_PROXY)")
		fs.IntVar(&cfg.ProxyHops, "proxy-hops", cfg.ProxyHops, "with --trust-proxy, how many proxies stand in front of Engage, each adding to X-Forwarded-For (default 1; env ENGAGE_PROXY_HOPS)")
		fs.Func("trusted-proxies", "comma-separated addresses or CIDR prefixes of the trusted reverse proxies; implies --trust-proxy and replaces --proxy-hops (env ENGAGE_TRUSTED_PROXIES)", func(v string) error {
			cfg.TrustedProxies = splitList(v)
			return nil
		})
		fs.StringVar(&cfg.OIDC.Issuer, "oidc-issuer", cfg.OIDC.Issuer, "OpenID Connect issuer URL for single sign-on (env ENGAGE_OIDC_ISSUER)")
		fs.StringVar(&cfg.OIDC.ClientID, "oidc-client-id", cfg.OIDC.ClientID, "OpenID Connect client id (env ENGAGE_OIDC_CLIENT_ID)")
		fs.StringVar(&cfg.SMTP.Host, "smtp-host", cfg.SMTP.Host, "SMTP server for e-mail notifications; off when empty (env ENGAGE_SMTP_HOST)")
		fs.StringVar(&cfg.SMTP.From, "smtp-from", cfg.SMTP.From, "sender address of e-mail notifications (env ENGAGE_SMTP_FROM)")
		fs.StringVar(&cfg.OIDC.RedirectURL, "oidc-redirect-url", cfg.OIDC.RedirectURL, "OpenID Connect redirect URL (default BASE_URL/auth/oidc/callback; env ENGAGE_OIDC_REDIRECT_URL)")
	}
	return func() error {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		// Flags win: remember them, apply file and environment, re-apply flags.
		flagged := *cfg
		if *file != "" {
			if err := loadFile(*file, cfg); err != nil {
				return err
			}
		}
		if err := applyEnv(cfg, set); err != nil {
			return err
		}
		restoreFlags(cfg, &flagged, set)
		return cfg.Validate(server)
	}
}

func loadFile(path string, cfg *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading configuration file: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("configuration file %s: %w", path, err)
	}
	return nil
}

func applyEnv(cfg *Config, set map[string]bool) error {
	str := func(name string, dst *string) {
		if v, ok := os.LookupEnv(name); ok {
			*dst = v
		}
	}
	str("ENGAGE_DATA", &cfg.DataDir)
	str("ENGAGE_DATABASE_URL", &cfg.DatabaseURL)
	str("ENGAGE_ADDR", &cfg.Addr)
	str("ENGAGE_BASE_URL", &cfg.BaseURL)
	str("ENGAGE_BACKSTAGE_URL", &cfg.BackstageURL)
	if v, ok := os.LookupEnv("ENGAGE_BACKSTAGE_INTERVAL"); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("ENGAGE_BACKSTAGE_INTERVAL=%q: write a duration such as 1h", v)
		}
		cfg.BackstageInterval = d
	}
	str("ENGAGE_LOG_FORMAT", &cfg.LogFormat)
	str("ENGAGE_LOG_LEVEL", &cfg.LogLevel)
	str("ENGAGE_OIDC_ISSUER", &cfg.OIDC.Issuer)
	str("ENGAGE_OIDC_CLIENT_ID", &cfg.OIDC.ClientID)
	// The client secret is read only from the environment or the file,
	// never from a flag, so that it does not show in the process list.
	str("ENGAGE_OIDC_CLIENT_SECRET", &cfg.OIDC.ClientSecret)
	str("ENGAGE_OIDC_REDIRECT_URL", &cfg.OIDC.RedirectURL)
	str("ENGAGE_SMTP_HOST", &cfg.SMTP.Host)
	str("ENGAGE_SMTP_FROM", &cfg.SMTP.From)
	str("ENGAGE_SMTP_USERNAME", &cfg.SMTP.Username)
	// Like the OIDC secret, the SMTP password is never a flag.
	str("ENGAGE_SMTP_PASSWORD", &cfg.SMTP.Password)
	if v, ok := os.LookupEnv("ENGAGE_TRUSTED_PROXIES"); ok {
		cfg.TrustedProxies = splitList(v)
	}
	if v, ok := os.LookupEnv("ENGAGE_MEMORY_LIMIT_MIB"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("ENGAGE_MEMORY_LIMIT_MIB=%q: write a number of MiB such as 256, or 0", v)
		}
		cfg.MemoryLimitMiB = n
	}
	if v, ok := os.LookupEnv("ENGAGE_PROXY_HOPS"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("ENGAGE_PROXY_HOPS=%q: write a number of proxies such as 1", v)
		}
		cfg.ProxyHops = n
	}
	if v, ok := os.LookupEnv("ENGAGE_CURRENCIES"); ok {
		cfg.Currencies = splitList(v)
	}
	if v, ok := os.LookupEnv("ENGAGE_SMTP_PORT"); ok {
		port, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("ENGAGE_SMTP_PORT=%q: write a port number such as 587", v)
		}
		cfg.SMTP.Port = port
	}
	for name, dst := range map[string]*bool{"ENGAGE_DEMO": &cfg.Demo, "ENGAGE_TRUST_PROXY": &cfg.TrustProxy, "ENGAGE_ALLOW_PRIVATE_WEBHOOKS": &cfg.AllowPrivateWebhooks} {
		if v, ok := os.LookupEnv(name); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s=%q: write true or false", name, v)
			}
			*dst = b
		}
	}
	if v, ok := os.LookupEnv("ENGAGE_USAGE_WINDOW"); ok {
		if err := cfg.UsageWindow.Set(v); err != nil {
			return fmt.Errorf("ENGAGE_USAGE_WINDOW: %w", err)
		}
	}
	if v, ok := os.LookupEnv("ENGAGE_NEW_MEMBER_LIMIT"); ok {
		if err := cfg.NewMemberLimit.Set(v); err != nil {
			return fmt.Errorf("ENGAGE_NEW_MEMBER_LIMIT: %w", err)
		}
	}
	if v, ok := os.LookupEnv("ENGAGE_SESSION_TTL"); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("ENGAGE_SESSION_TTL=%q: write a duration such as 12h", v)
		}
		cfg.SessionTTL = d
	}
	return nil
}

func restoreFlags(cfg, flagged *Config, set map[string]bool) {
	pairs := map[string]func(){
		"data":               func() { cfg.DataDir = flagged.DataDir },
		"database-url":       func() { cfg.DatabaseURL = flagged.DatabaseURL },
		"log-format":         func() { cfg.LogFormat = flagged.LogFormat },
		"log-level":          func() { cfg.LogLevel = flagged.LogLevel },
		"currencies":         func() { cfg.Currencies = flagged.Currencies },
		"usage-window":       func() { cfg.UsageWindow = flagged.UsageWindow },
		"new-member-limit":   func() { cfg.NewMemberLimit = flagged.NewMemberLimit },
		"addr":               func() { cfg.Addr = flagged.Addr },
		"base-url":           func() { cfg.BaseURL = flagged.BaseURL },
		"demo":               func() { cfg.Demo = flagged.Demo },
		"session-ttl":        func() { cfg.SessionTTL = flagged.SessionTTL },
		"backstage-url":      func() { cfg.BackstageURL = flagged.BackstageURL },
		"memory-limit-mib":   func() { cfg.MemoryLimitMiB = flagged.MemoryLimitMiB },
		"backstage-interval": func() { cfg.BackstageInterval = flagged.BackstageInterval },
		"trust-proxy":        func() { cfg.TrustProxy = flagged.TrustProxy },
		"proxy-hops":         func() { cfg.ProxyHops = flagged.ProxyHops },
		"trusted-proxies":    func() { cfg.TrustedProxies = flagged.TrustedProxies },
		"oidc-issuer":        func() { cfg.OIDC.Issuer = flagged.OIDC.Issuer },
		"oidc-client-id":     func() { cfg.OIDC.ClientID = flagged.OIDC.ClientID },
		"oidc-redirect-url":  func() { cfg.OIDC.RedirectURL = flagged.OIDC.RedirectURL },
		"smtp-host":          func() { cfg.SMTP.Host = flagged.SMTP.Host },
		"smtp-from":          func() { cfg.SMTP.From = flagged.SMTP.From },
	}
	for name, restore := range pairs {
		if set[name] {
			restore()
		}
	}
}

// Validate checks the configuration and names what is wrong.
func (c *Config) Validate(server bool) error {
	var errs []error
	if c.MemoryLimitMiB != 0 && (c.MemoryLimitMiB < MinMemoryLimitMiB || c.MemoryLimitMiB > MaxMemoryLimitMiB) {
		errs = append(errs, fmt.Errorf("--memory-limit-mib %d: choose 0 (none) or %d to %d", c.MemoryLimitMiB, MinMemoryLimitMiB, MaxMemoryLimitMiB))
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		errs = append(errs, errors.New("--data: give a directory for the SQLite database, or --database-url"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("--database-url: must start with postgres://"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: choose text or json", c.LogFormat))
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q: choose debug, info, warn or error", c.LogLevel))
	}
	if _, err := rating.NewCurrencies(c.Currencies); err != nil {
		errs = append(errs, fmt.Errorf("--currencies: %w", err))
	}
	if server {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("--addr %q: give host:port, such as localhost:8080 or :8080", c.Addr))
		}
		if c.SessionTTL < time.Minute {
			errs = append(errs, fmt.Errorf("--session-ttl %s: must be at least 1m", c.SessionTTL))
		}
		if c.BackstageURL != "" && !strings.HasPrefix(c.BackstageURL, "http://") && !strings.HasPrefix(c.BackstageURL, "https://") {
			errs = append(errs, fmt.Errorf("--backstage-url: must start with http:// or https://"))
		}
		if c.BackstageURL != "" && c.BackstageInterval < time.Minute {
			errs = append(errs, fmt.Errorf("--backstage-interval %s: must be at least 1m", c.BackstageInterval))
		}
		if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
			errs = append(errs, fmt.Errorf("--base-url %q: must start with http:// or https://", c.BaseURL))
		}
		if c.ProxyHops < 0 || c.ProxyHops > 10 {
			errs = append(errs, fmt.Errorf("--proxy-hops %d: give the number of proxies in front of Engage, 1 to 10", c.ProxyHops))
		}
		if _, err := c.ProxyNetworks(); err != nil {
			errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
		}
		if c.OIDC.Issuer != "" && c.OIDC.ClientID == "" {
			errs = append(errs, errors.New("--oidc-client-id: required when --oidc-issuer is set"))
		}
		if c.SMTP.Host != "" && c.SMTP.From == "" {
			errs = append(errs, errors.New("--smtp-from: required when --smtp-host is set"))
		}
		if c.OIDC.Enabled() && c.OIDC.RedirectURL == "" {
			if c.BaseURL == "" {
				errs = append(errs, errors.New("--base-url or --oidc-redirect-url: required for single sign-on"))
			} else {
				c.OIDC.RedirectURL = strings.TrimSuffix(c.BaseURL, "/") + "/auth/oidc/callback"
			}
		}
	}
	return errors.Join(errs...)
}

// ProxyNetworks reads TrustedProxies: CIDR prefixes or single addresses.
func (c Config) ProxyNetworks() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix such as 10.0.0.0/8", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// ClientHops is how many proxies' X-Forwarded-For entries to believe
// when no trusted networks are named: none without TrustProxy.
func (c Config) ClientHops() int {
	switch {
	case !c.TrustProxy:
		return 0
	case c.ProxyHops > 0:
		return c.ProxyHops
	}
	return 1
}

// splitList reads "EUR, USD" as its codes.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
}

// Logger builds the slog logger the configuration asks for.
func (c Config) Logger(w *os.File) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
