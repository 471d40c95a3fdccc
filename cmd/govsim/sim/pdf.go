package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
)

// pdf returns a small, valid one-page PDF of 2–6 KB whose bytes depend only
// on seed and name, so attachments are byte-stable and hashable. The text is
// ASCII because the standard Type 1 fonts carry no Chinese glyphs.
func pdf(seed uint64, name string) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x706466))
	var content bytes.Buffer
	fmt.Fprintf(&content, "BT /F1 14 Tf 72 790 Td (govsim attachment %s) Tj ET\n", name)
	lines := 30 + rng.IntN(70)
	for i := range lines {
		fmt.Fprintf(&content, "BT /F1 8 Tf 72 %d Td (%016x %016x) Tj ET\n", 770-(i%90)*8, rng.Uint64(), rng.Uint64())
	}

	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
