#!/bin/sh
# Regenerates the binary payloads of the demo mailbox and splices them into the .eml files:
#   * the AMR-NB voicemail (8 kHz, 12.2 kbit/s)     -> 20-voicemail-dentist.eml
#   * the AMR-WB voicemail (16 kHz, 23.85 kbit/s)   -> 21-voicemail-garage.eml
#   * the one-page Group 4 TIFF fax                 -> 19-fax-delivery-note.eml
# Speech is synthesised with espeak-ng (no recorded human voice), encoded with ffmpeg's
# libopencore_amrnb / libvo_amrwbenc (Debian: ffmpeg + libavcodec-extra); the fax page is drawn
# with ImageMagick. The script is idempotent: it replaces the base64 body of the part whose
# Content-Disposition names the file, and rewrites every `Content-Duration:` of that message to
# the real length (AMR frames are 20 ms each, counted with ffprobe).
# Needs: espeak-ng ffmpeg ffprobe convert python3. Run from anywhere.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in espeak-ng ffmpeg ffprobe convert python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "make-audio.sh: missing $tool" >&2; exit 1; }
done

# The words below are also the transcription text of the AMR-WB message; keep them in sync.
NB_TEXT="Hi, this is Sam from Riverside Dental. Just a reminder, your check-up is on Thursday at ten thirty. To reschedule, call us on five five five, one two three four. Thanks, bye."
WB_TEXT="Hello, it's Hannah from the garage. Your car is ready to collect. The brake pads are done and the bill is one hundred and forty pounds. We're open until six. See you later."

espeak-ng -v en-us -s 170 -w "$work/nb.wav" "$NB_TEXT"
ffmpeg -nostdin -y -v error -i "$work/nb.wav" -ar 8000 -ac 1 -c:a libopencore_amrnb -b:a 12.2k -f amr "$work/nb.amr"

espeak-ng -v en-gb -s 165 -w "$work/wb.wav" "$WB_TEXT"
ffmpeg -nostdin -y -v error -i "$work/wb.wav" -ar 16000 -ac 1 -c:a libvo_amrwbenc -b:a 23.85k -f amr "$work/wb.awb"

font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
[ -f "$font" ] || font=DejaVu-Sans-Mono
convert -size 400x200 xc:white -fill black -font "$font" -pointsize 14 \
    -draw "text 20,30 'FAX +1 555 010 7788 -> +1 555 010 2424'" \
    -draw "text 20,60 'Harbour Freight - delivery note 4471'" \
    -draw "text 20,90 'Pallets: 2   Weight: 310 kg'" \
    -draw "text 20,120 'Delivery: Monday 23 November, a.m.'" \
    -draw "text 20,180 'Page 1 of 1'" \
    -monochrome -compress Group4 -strip -define tiff:rows-per-strip=200 "$work/fax.tif"

frames() {
    ffprobe -v error -count_packets -select_streams a:0 \
        -show_entries stream=nb_read_packets -of csv=p=0 "$1"
}

splice() { # splice <eml> <attachment filename> <payload> <duration seconds or ->
    python3 - "$@" <<'PY'
import base64, re, sys
eml, name, payload, duration = sys.argv[1:5]
text = open(eml, encoding="ascii").read()
data = open(payload, "rb").read()
b64 = base64.b64encode(data).decode("ascii")
body = "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76)) + "\n"
# The part header block that names the file, then its blank line, then the body up to the boundary.
pattern = re.compile(r'(filename="' + re.escape(name) + r'"[^\n]*\n(?:[^\n]+\n)*\n)(.*?)(\n--)', re.S)
new, count = pattern.subn(lambda m: m.group(1) + body.rstrip("\n") + m.group(3), text, count=1)
if count != 1:
    sys.exit(f"make-audio.sh: no part named {name} in {eml}")
if duration != "-":
    new = re.sub(r"(?m)^Content-Duration: *\d+$", "Content-Duration: " + duration, new)
open(eml, "w", encoding="ascii", newline="\n").write(new)
print(f"{eml}: {name} {len(data)} bytes" + (f", {duration} s" if duration != "-" else ""))
PY
}

nb_frames=$(frames "$work/nb.amr")
wb_frames=$(frames "$work/wb.awb")
# 50 AMR frames per second; round to the nearest whole second as RFC 3803 wants an integer.
nb_seconds=$(( (nb_frames + 25) / 50 ))
wb_seconds=$(( (wb_frames + 25) / 50 ))

splice "$here/20-voicemail-dentist.eml" voicemail-20261118-0942.amr "$work/nb.amr" "$nb_seconds"
splice "$here/21-voicemail-garage.eml" voicemail-20261121-1517.awb "$work/wb.awb" "$wb_seconds"
splice "$here/19-fax-delivery-note.eml" fax-20261117-1604.tif "$work/fax.tif" -
