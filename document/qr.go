package document

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// quietZone is the white margin around a QR code, in modules. The QR
// specification asks for 4 modules so that scanners find the finder patterns.
const quietZone = 4

// QRPNG encodes text as a QR code (error correction level M) and returns it
// as a square grayscale PNG of size×size pixels, with a white quiet zone of
// at least 4 modules on every side. Every module is drawn with the same whole
// number of pixels (so the code stays sharp); left-over pixels widen the margin.
func QRPNG(text string, size int) ([]byte, error) {
	if text == "" {
		return nil, errors.New("document : le texte du QR code est vide")
	}
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("document : encodage du QR code : %w", err)
	}
	modules := code.Bounds().Dx()
	total := modules + 2*quietZone
	if size < total {
		return nil, fmt.Errorf("document : taille du QR code trop petite (%d px, minimum %d px)", size, total)
	}
	scale := size / total
	offset := (size - modules*scale) / 2

	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	origin := code.Bounds().Min
	for my := 0; my < modules; my++ {
		for mx := 0; mx < modules; mx++ {
			if color.GrayModel.Convert(code.At(origin.X+mx, origin.Y+my)).(color.Gray).Y >= 0x80 {
				continue
			}
			for py := 0; py < scale; py++ {
				row := (offset+my*scale+py)*img.Stride + offset + mx*scale
				for px := 0; px < scale; px++ {
					img.Pix[row+px] = 0
				}
			}
		}
	}

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("document : écriture du PNG : %w", err)
	}
	return buf.Bytes(), nil
}
