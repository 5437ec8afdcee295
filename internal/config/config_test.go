package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/discuss"
)

func load(t *testing.T, args []string) (config.Config, error) {
	t.Helper()
	cfg := config.Default()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	finish := config.Flags(fs, &cfg, true)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cfg, finish()
}

// Flags win over the environment, which wins over the file.
func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "engage.yaml")
	os.WriteFile(file, []byte("addr: file:1\nlog_level: debug\ndata: /from/file\nsmtp:\n  host: mail.example.com\n  from: engage@example.com\n"), 0o600)
	t.Setenv("ENGAGE_ADDR", "env:2")
	t.Setenv("ENGAGE_SMTP_PASSWORD", "s3cret")
	cfg, err := load(t, []string{"--config", file, "--addr", "flag:3"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "flag:3" || cfg.LogLevel != "debug" || cfg.DataDir != "/from/file" || cfg.SMTP.Host != "mail.example.com" || cfg.SMTP.Password != "s3cret" {
		t.Fatalf("config = %+v", cfg)
	}
	cfg, _ = load(t, []string{"--config", file})
	if cfg.Addr != "env:2" {
		t.Fatalf("env did not beat the file: addr %q", cfg.Addr)
	}
}

func TestValidation(t *testing.T) {
	file := filepath.Join(t.TempDir(), "engage.yaml")
	os.WriteFile(file, []byte("adr: typo\n"), 0o600)
	if _, err := load(t, []string{"--config", file}); err == nil || !strings.Contains(err.Error(), "adr") {
		t.Fatalf("unknown key = %v; want it named", err)
	}
	_, err := load(t, []string{"--addr", "nonsense", "--log-format", "xml", "--smtp-host", "mail"})
	for _, want := range []string{"--addr", "--log-format", "--smtp-from"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	t.Setenv("ENGAGE_SMTP_PORT", "many")
	if _, err := load(t, nil); err == nil || !strings.Contains(err.Error(), "ENGAGE_SMTP_PORT") {
		t.Fatalf("bad port = %v", err)
	}
}

// The proxy trust is read from the file, the environment and the flags;
// bad networks and hop counts are refused by name.
func TestProxyTrust(t *testing.T) {
	file := filepath.Join(t.TempDir(), "engage.yaml")
	os.WriteFile(file, []byte("trust_proxy: true\nproxy_hops: 2\ntrusted_proxies: [10.0.0.0/8, 192.0.2.7]\n"), 0o600)
	cfg, err := load(t, []string{"--config", file})
	if err != nil {
		t.Fatal(err)
	}
	nets, _ := cfg.ProxyNetworks()
	if cfg.ClientHops() != 2 || len(nets) != 2 || nets[1].String() != "192.0.2.7/32" {
		t.Fatalf("from the file: hops %d, networks %v", cfg.ClientHops(), nets)
	}
	t.Setenv("ENGAGE_TRUSTED_PROXIES", "172.16.0.0/12")
	t.Setenv("ENGAGE_PROXY_HOPS", "3")
	if cfg, _ = load(t, []string{"--config", file}); len(cfg.TrustedProxies) != 1 || cfg.ClientHops() != 3 {
		t.Fatalf("the environment did not beat the file: %v, %d hops", cfg.TrustedProxies, cfg.ClientHops())
	}
	if cfg, _ = load(t, []string{"--trusted-proxies", "10.1.0.0/16, 10.2.0.0/16", "--proxy-hops", "1"}); len(cfg.TrustedProxies) != 2 || cfg.ProxyHops != 1 {
		t.Fatalf("flags: %v, %d hops", cfg.TrustedProxies, cfg.ProxyHops)
	}
	if cfg, _ = load(t, []string{"--trust-proxy", "--proxy-hops", "0"}); cfg.ClientHops() != 1 {
		t.Fatalf("--trust-proxy alone trusts %d proxies; want 1", cfg.ClientHops())
	}
	_, err = load(t, []string{"--trusted-proxies", "10.0.0.0/33", "--proxy-hops", "-1"})
	for _, want := range []string{"--trusted-proxies", "10.0.0.0/33", "--proxy-hops"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

// The organisation's currencies come from the file, the environment or a
// flag; codes that are not ISO 4217 stop Engage from starting.
func TestCurrencies(t *testing.T) {
	cfg, err := load(t, nil)
	if err != nil || strings.Join(cfg.OrganisationCurrencies().Codes(), ",") != "EUR,USD,GBP,CHF,JPY" {
		t.Fatalf("default currencies = %v, %v", cfg.OrganisationCurrencies().Codes(), err)
	}
	file := filepath.Join(t.TempDir(), "engage.yaml")
	os.WriteFile(file, []byte("currencies: [chf, EUR]\n"), 0o600)
	if cfg, err = load(t, []string{"--config", file}); err != nil || strings.Join(cfg.OrganisationCurrencies().Codes(), ",") != "CHF,EUR" {
		t.Fatalf("file currencies = %v, %v", cfg.Currencies, err)
	}
	t.Setenv("ENGAGE_CURRENCIES", "SEK, NOK")
	if cfg, err = load(t, []string{"--config", file}); err != nil || strings.Join(cfg.OrganisationCurrencies().Codes(), ",") != "SEK,NOK" {
		t.Fatalf("environment currencies = %v, %v", cfg.Currencies, err)
	}
	if cfg, err = load(t, []string{"--currencies", "JPY"}); err != nil || strings.Join(cfg.OrganisationCurrencies().Codes(), ",") != "JPY" {
		t.Fatalf("flag currencies = %v, %v", cfg.Currencies, err)
	}
	if _, err = load(t, []string{"--currencies", "EUR,ZZZ"}); err == nil || !strings.Contains(err.Error(), "--currencies") || !strings.Contains(err.Error(), "ZZZ") {
		t.Fatalf("ZZZ = %v", err)
	}
}

// The usage window is read from the file, the environment and the flag, as
// PAST,FUTURE durations that may count days.
func TestUsageWindow(t *testing.T) {
	cfg, err := load(t, nil)
	if err != nil || cfg.UsageWindow != config.DefaultUsageWindow || cfg.UsageWindow.String() != "400d,2d" {
		t.Fatalf("default window = %v, %v", cfg.UsageWindow, err)
	}
	file := filepath.Join(t.TempDir(), "engage.yaml")
	os.WriteFile(file, []byte("usage_window: 90d,36h\n"), 0o600)
	cfg, err = load(t, []string{"--config", file})
	if err != nil || cfg.UsageWindow.Past != 90*24*time.Hour || cfg.UsageWindow.Future != 36*time.Hour {
		t.Fatalf("window from the file = %v, %v", cfg.UsageWindow, err)
	}
	t.Setenv("ENGAGE_USAGE_WINDOW", "30d,0d")
	if cfg, err = load(t, []string{"--config", file}); err != nil || cfg.UsageWindow.String() != "30d,0d" {
		t.Fatalf("window from the environment = %v, %v", cfg.UsageWindow, err)
	}
	if cfg, err = load(t, []string{"--usage-window", "13d,1h"}); err != nil || cfg.UsageWindow.String() != "13d,1h0m0s" {
		t.Fatalf("window from the flag = %v, %v", cfg.UsageWindow, err)
	}
	var w config.UsageWindow
	for _, bad := range []string{"400d", "x,2d", "0d,1d", "400d,-1h", "9999999d,1d"} {
		if err := w.Set(bad); err == nil {
			t.Errorf("window %q accepted", bad)
		}
	}
}

// The posting limit of new community members is read from the file, the
// environment and the flag, as POSTS,NEWFOR.
func TestNewMemberLimit(t *testing.T) {
	cfg, err := load(t, nil)
	if err != nil || cfg.NewMemberLimit.String() != "5,7d" {
		t.Fatalf("default limit = %v, %v", cfg.NewMemberLimit, err)
	}
	file := filepath.Join(t.TempDir(), "engage.yaml")
	os.WriteFile(file, []byte("new_member_limit: 3,14d\n"), 0o600)
	if cfg, err = load(t, []string{"--config", file}); err != nil || cfg.NewMemberLimit.PerHour != 3 || cfg.NewMemberLimit.NewFor != 14*24*time.Hour {
		t.Fatalf("limit from the file = %v, %v", cfg.NewMemberLimit, err)
	}
	t.Setenv("ENGAGE_NEW_MEMBER_LIMIT", "10,2d")
	if cfg, err = load(t, []string{"--config", file}); err != nil || cfg.NewMemberLimit.String() != "10,2d" {
		t.Fatalf("limit from the environment = %v, %v", cfg.NewMemberLimit, err)
	}
	if cfg, err = load(t, []string{"--new-member-limit", "2,36h"}); err != nil || cfg.NewMemberLimit.String() != "2,36h0m0s" {
		t.Fatalf("limit from the flag = %v, %v", cfg.NewMemberLimit, err)
	}
	var l discuss.PostLimit
	for _, bad := range []string{"5", "0,7d", "x,7d", "5,0d", "5,400d", "5,10m"} {
		if err := l.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The Backstage pull: a URL and an interval from flags, environment or
// file; only http(s), at least a minute apart.
func TestBackstagePull(t *testing.T) {
	cfg, err := load(t, nil)
	if err != nil || cfg.BackstageURL != "" || cfg.BackstageInterval != time.Hour {
		t.Fatalf("default = %q %s, %v", cfg.BackstageURL, cfg.BackstageInterval, err)
	}
	t.Setenv("ENGAGE_BACKSTAGE_INTERVAL", "15m")
	cfg, err = load(t, []string{"--backstage-url", "https://backstage.example.com/catalog/all.yaml"})
	if err != nil || cfg.BackstageURL != "https://backstage.example.com/catalog/all.yaml" || cfg.BackstageInterval != 15*time.Minute {
		t.Fatalf("set = %q %s, %v", cfg.BackstageURL, cfg.BackstageInterval, err)
	}
	_, err = load(t, []string{"--backstage-url", "file:///etc/passwd", "--backstage-interval", "1s"})
	for _, want := range []string{"--backstage-url", "--backstage-interval"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}
