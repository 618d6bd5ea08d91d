package mailbot

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"mailbot/templates/say"
	"mailbot/ticketing"
)

// chartBar is one row of the pipeline chart.
type chartBar struct {
	Label string
	Count int
	Turn  string // ticketing.WaitingEnte or WaitingRegione
	Head  bool   // a heading row (kind of case), no bar
}

// Colours of the Region's web style: whose turn it is, at a glance.
var (
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colText       = color.RGBA{0x17, 0x32, 0x4d, 0xff}
	colRegione    = color.RGBA{0x00, 0x66, 0xcc, 0xff}
	colEnte       = color.RGBA{0xe0, 0x7b, 0x00, 0xff}
	colGrid       = color.RGBA{0xc5, 0xc7, 0xc9, 0xff}
)

const (
	chartWidth  = 640
	chartRow    = 24
	chartLabelW = 290 // 7-pixel glyphs: 40 characters
	chartBarX   = chartLabelW + 10
	chartBarMax = chartWidth - chartBarX - 50
)

// pipelineChart draws the open cases per state as horizontal bars coloured by whose turn it is,
// with a title and a legend: a PNG for the digest's HTML part.
func pipelineChart(title string, bars []chartBar) ([]byte, error) {
	h := 40 + len(bars)*chartRow + 40
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBackground), image.Point{}, draw.Src)
	chartText(img, 10, 22, title, colText)
	most := 1
	for _, b := range bars {
		most = max(most, b.Count)
	}
	y := 40
	for _, b := range bars {
		if b.Head {
			chartText(img, 10, y+16, b.Label, colText)
			chartFill(img, 10, y+chartRow-3, chartWidth-20, 1, colGrid)
			y += chartRow
			continue
		}
		chartText(img, 20, y+16, b.Label, colText)
		c := colEnte
		if b.Turn == ticketing.WaitingRegione {
			c = colRegione
		}
		w := b.Count * chartBarMax / most
		if b.Count > 0 {
			w = max(w, 3)
		}
		chartFill(img, chartBarX, y+4, w, chartRow-8, c)
		chartText(img, chartBarX+w+6, y+16, strconv.Itoa(b.Count), colText)
		y += chartRow
	}
	y += 10
	chartFill(img, 10, y+4, 14, 14, colRegione)
	chartText(img, 30, y+16, say.Text("chart.regione"), colText)
	chartFill(img, 200, y+4, 14, 14, colEnte)
	chartText(img, 220, y+16, say.Text("chart.ente"), colText)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return b.Bytes(), nil
}

func chartFill(img *image.RGBA, x, y, w, h int, c color.Color) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h), image.NewUniform(c), image.Point{}, draw.Src)
}

// chartText writes s with its baseline at y. The built-in face is ASCII only: accented letters lose
// their accent.
func chartText(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(asciiFold.Replace(s))
}

var asciiFold = strings.NewReplacer("à", "a", "è", "e", "é", "e", "ì", "i", "ò", "o", "ù", "u", "–", "-", "’", "'")
