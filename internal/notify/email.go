package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTPConfig says how to send e-mail. E-mail is off unless Host and From are
// set. Port 465 speaks TLS from the start; any other port (587 by default)
// upgrades with STARTTLS when the server offers it. Username and Password
// are optional; Go's SMTP client sends them only over TLS or to localhost.
type SMTPConfig struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	From     string `yaml:"from"` // the sender, such as "Engage <engage@example.com>"
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Enabled reports whether e-mail can be sent.
func (c SMTPConfig) Enabled() bool { return c.Host != "" && c.From != "" }

func (c SMTPConfig) addr() string {
	port := c.Port
	if port == 0 {
		port = 587
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

// Mail is one plain-text message.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends e-mail. An error means "not sent, try again later".
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// mail writes the message telling j's recipient about j's event.
func (s *Service) mail(j job) Mail {
	base := strings.TrimSuffix(s.BaseURL, "/")
	var b strings.Builder
	b.WriteString(j.event.Title + "\n")
	if j.event.Subject != "" {
		b.WriteString("\nReference: " + j.event.Subject + "\n")
	}
	if j.event.Link != "" {
		b.WriteString("\nSee it in Engage: " + base + j.event.Link + "\n")
	}
	b.WriteString("\n--\nYou receive this because it concerns you in Engage. Everything that concerns you is also in your inbox")
	if base != "" {
		b.WriteString(": " + base + "/inbox")
	}
	b.WriteString(".\n")
	subject := j.event.Title
	if j.event.Subject != "" {
		subject = j.event.Subject + ": " + subject
	}
	// A header is one line: titles are single-line text, but be sure.
	subject = strings.Join(strings.Fields(subject), " ")
	return Mail{To: j.recipient, Subject: subject, Body: b.String()}
}

type smtpMailer struct {
	cfg SMTPConfig
}

func (m smtpMailer) Send(ctx context.Context, msg Mail) error {
	from, err := mail.ParseAddress(m.cfg.From)
	if err != nil {
		return fmt.Errorf("the configured sender %q is not an e-mail address: %w", m.cfg.From, err)
	}
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return fmt.Errorf("the recipient %q is not an e-mail address: %w", msg.To, err)
	}
	data, err := compose(from, to, msg, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	d := net.Dialer{Deadline: deadline}
	var conn net.Conn
	if m.cfg.Port == 465 {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: m.cfg.Host}}).DialContext(ctx, "tcp", m.cfg.addr())
	} else {
		conn, err = d.DialContext(ctx, "tcp", m.cfg.addr())
	}
	if err != nil {
		return fmt.Errorf("connecting to the SMTP server %s: %w", m.cfg.addr(), err)
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting the SMTP server %s: %w", m.cfg.addr(), err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && m.cfg.Port != 465 {
		if err := c.StartTLS(&tls.Config{ServerName: m.cfg.Host}); err != nil {
			return fmt.Errorf("starting TLS with %s: %w", m.cfg.addr(), err)
		}
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host)); err != nil {
			return fmt.Errorf("signing in to the SMTP server as %s: %w", m.cfg.Username, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("SMTP RCPT TO %s: %w", to.Address, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	return c.Quit()
}

// compose writes an RFC 5322 message: UTF-8 text, quoted-printable.
func compose(from, to *mail.Address, msg Mail, now time.Time) ([]byte, error) {
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return nil, errors.New("a subject cannot contain line breaks")
	}
	var b bytes.Buffer
	b.WriteString("From: " + from.String() + "\r\n")
	b.WriteString("To: " + to.String() + "\r\n")
	b.WriteString("Subject: " + mime.QEncoding.Encode("utf-8", msg.Subject) + "\r\n")
	b.WriteString("Date: " + now.Format(time.RFC1123Z) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n")
	b.WriteString("Auto-Submitted: auto-generated\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(msg.Body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
