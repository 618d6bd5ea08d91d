//go:build tools

package tools

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/chromedp/chromedp"
	_ "github.com/emersion/go-imap/v2"
	_ "github.com/emersion/go-message"
	_ "github.com/emersion/go-smtp"
	_ "github.com/k3a/html2text"
	_ "github.com/ledongthuc/pdf"
	_ "github.com/pdfcpu/pdfcpu/pkg/api"
	_ "github.com/robfig/cron/v3"
	_ "github.com/smallstep/pkcs7"
	_ "github.com/wneessen/go-mail"
	_ "github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite"
)
