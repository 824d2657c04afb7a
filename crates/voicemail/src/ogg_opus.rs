//! Ogg Opus (RFC 7845) to PCM, and the few facts about an Ogg file that need no decoding: which
//! codec its audio stream carries and the granule position of its last page (its length).
//!
//! Decoding: our own small Ogg page reader (RFC 3533: capture pattern, checksum, lacing) splits
//! the pages into packets, libopus (the `opus` crate over `audiopus_sys`) decodes each at 48 kHz,
//! the header's pre-skip is dropped from the start and the end is trimmed to the last page's
//! granule position, as RFC 7845 §4 asks. Damage does not stop it: a page whose checksum fails
//! is skipped and reading resumes at the next capture pattern (so a damaged page costs that page
//! only), a packet whose start or end was lost is dropped, and a packet libopus refuses is
//! skipped; the time they covered comes back as silence (the next page's granule position says
//! how much), so what follows stays at its place on the timeline. A file cut short gives what
//! was read. Each with a warning. (The `ogg` crate was tried first: after a bad checksum it
//! resumes after the bytes the damaged header claimed, which lost the next page too.)
//!
//! Only channel mapping family 0 (mono, stereo) and its one-stream equivalent in family 1 are
//! decoded: a voicemail is not surround sound. Opus outside Ogg (WebM, CAF) is not handled here.

use crate::audio::{AudioError, Decoded, Pcm};
use crate::model::AudioFormat;

/// Opus always decodes at 48 kHz here (any rate libopus supports would do; the header's input
/// rate is informational only, RFC 7845 §5.1).
pub(crate) const OPUS_RATE: u32 = 48_000;

/// Longest Opus packet: 120 ms at 48 kHz, per channel.
const MAX_PACKET_SAMPLES: usize = 5760;

/// Most silence put in for one stretch of lost audio: a lying granule position must not make us
/// allocate gigabytes.
const MAX_GAP_SAMPLES: u64 = OPUS_RATE as u64 * 60;

/// Decoding stops after this many samples per channel (15 minutes, longer than any carrier keeps
/// a voicemail): two-octet Opus packets can each claim 120 ms, so a crafted file of a few
/// megabytes could otherwise ask for gigabytes of PCM.
const MAX_FRAMES: u64 = OPUS_RATE as u64 * 60 * 15;

/// Granule position meaning "no packet ends on this page".
const NO_GRANULE: u64 = u64::MAX;

/// One Ogg page whose checksum matched.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OggPage<'a> {
    /// Bit 0x02: first page of its stream (BOS).
    pub header_type: u8,
    pub granule: u64,
    pub serial: u32,
    /// Page sequence number: a gap means pages were lost.
    pub sequence: u32,
    /// Segment sizes: a packet ends at the first segment shorter than 255 octets.
    pub lacing: &'a [u8],
    pub body: &'a [u8],
    /// Octets from the capture pattern to the end of the body.
    pub len: usize,
}

impl<'a> OggPage<'a> {
    /// Bit 0x01: the page starts with the rest of a packet begun on an earlier page.
    fn continues_packet(&self) -> bool {
        self.header_type & 0x01 != 0
    }

    /// The page's body split at packet boundaries: each piece and whether a packet ends with it
    /// (the last piece may go on on the next page).
    fn pieces(&self) -> Vec<(&'a [u8], bool)> {
        let (body, mut pieces, mut start, mut len) = (self.body, Vec::new(), 0usize, 0usize);
        for &segment in self.lacing {
            len += usize::from(segment);
            if segment < 255 {
                pieces.push((&body[start..start + len], true));
                start += len;
                len = 0;
            }
        }
        if len > 0 {
            pieces.push((&body[start..start + len], false));
        }
        pieces
    }
}

/// The page starting at `offset`, if a whole page with a good checksum is there.
pub(crate) fn page_at(bytes: &[u8], offset: usize) -> Option<OggPage<'_>> {
    let page = bytes.get(offset..)?;
    if page.len() < 27 || &page[..4] != b"OggS" || page[4] != 0 {
        return None;
    }
    let segments = usize::from(page[26]);
    let lacing = page.get(27..27 + segments)?;
    let body_len: usize = lacing.iter().map(|&l| usize::from(l)).sum();
    let len = 27 + segments + body_len;
    let whole = page.get(..len)?;
    let stored = u32::from_le_bytes([whole[22], whole[23], whole[24], whole[25]]);
    if ogg_crc(whole) != stored {
        return None;
    }
    let granule = u64::from_le_bytes([
        whole[6], whole[7], whole[8], whole[9], whole[10], whole[11], whole[12], whole[13],
    ]);
    Some(OggPage {
        header_type: whole[5],
        granule,
        serial: u32::from_le_bytes([whole[14], whole[15], whole[16], whole[17]]),
        sequence: u32::from_le_bytes([whole[18], whole[19], whole[20], whole[21]]),
        lacing,
        body: &whole[27 + segments..],
        len,
    })
}

/// The Ogg checksum: CRC-32, polynomial 0x04c11db7, not reflected, over the page with its
/// checksum field read as zero.
fn ogg_crc(page: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut crc = (i as u32) << 24;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04c1_1db7 } else { crc << 1 };
                bit += 1;
            }
            table[i] = crc;
            i += 1;
        }
        table
    };
    page.iter().enumerate().fold(0u32, |crc, (i, &byte)| {
        let byte = if (22..26).contains(&i) { 0 } else { byte };
        (crc << 8) ^ TABLE[usize::from((crc >> 24) as u8 ^ byte)]
    })
}

/// What an Ogg file's audio stream carries, from its first (BOS) pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OggAudio {
    Opus { serial: u32, head: OpusHead },
    Vorbis { serial: u32, sample_rate: u32 },
}

/// The audio stream of an Ogg file: the first BOS page carrying an Opus or Vorbis identification
/// header (a Skeleton or video stream may come first). `None` for anything else.
pub(crate) fn ogg_audio(bytes: &[u8]) -> Option<OggAudio> {
    let mut offset = 0;
    // BOS pages all come first (RFC 3533 §4); a damaged one ends the search.
    while let Some(page) = page_at(bytes, offset) {
        if page.header_type & 0x02 == 0 {
            break;
        }
        let packet = page.pieces().first().map_or(&[][..], |&(piece, _)| piece);
        if let Some(head) = OpusHead::parse(packet) {
            return Some(OggAudio::Opus { serial: page.serial, head });
        }
        if packet.len() >= 16 && packet.starts_with(b"\x01vorbis") {
            let sample_rate = u32::from_le_bytes([packet[12], packet[13], packet[14], packet[15]]);
            return Some(OggAudio::Vorbis { serial: page.serial, sample_rate });
        }
        offset += page.len;
    }
    None
}

/// Where the next capture pattern `OggS` starts, at or after `from`.
fn find_capture(bytes: &[u8], from: usize) -> Option<usize> {
    bytes.get(from..)?.windows(4).position(|window| window == b"OggS").map(|at| from + at)
}

/// The granule position of the last whole, intact page of stream `serial` that has one: the
/// stream's length in samples (for Opus, including the pre-skip). Scans backwards from the end,
/// so a file cut short or with damage in the middle still gives the last page that made it.
pub(crate) fn last_granule(bytes: &[u8], serial: u32) -> Option<u64> {
    let mut end = bytes.len();
    while end >= 4 {
        let start = bytes[..end].windows(4).rposition(|window| window == b"OggS")?;
        if let Some(page) = page_at(bytes, start) {
            if page.serial == serial && page.granule != NO_GRANULE {
                return Some(page.granule);
            }
        }
        end = start + 3; // the next search ends before this capture pattern
    }
    None
}

/// Where an Opus stream's granule positions start (RFC 7845 §4.3): zero for a stream encoded
/// from the start, more for one cut from a longer stream. Read from the first page on which an
/// audio packet ends: its granule position minus the samples of the audio packets up to there
/// (their TOC octets say how many; nothing is decoded). `None` when no such page is found.
pub(crate) fn opus_granule_start(bytes: &[u8], serial: u32) -> Option<u64> {
    let (mut offset, mut packets, mut samples) = (0, 0usize, 0u64);
    // The first two octets of the packet being read (all a TOC needs), when it began on an
    // earlier page.
    let mut begun: Option<Vec<u8>> = None;
    while let Some(page) = page_at(bytes, offset) {
        offset += page.len;
        if page.serial != serial {
            continue;
        }
        let mut audio_ended = false;
        for (index, (piece, ends)) in page.pieces().into_iter().enumerate() {
            let mut start = if index == 0 && page.continues_packet() { begun.take()? } else { Vec::new() };
            if start.len() < 2 {
                start.extend(piece.iter().take(2 - start.len()));
            }
            if !ends {
                begun = Some(start);
                continue;
            }
            packets += 1;
            if packets > 2 {
                // Packets 1 and 2 are OpusHead and OpusTags.
                samples += opus::packet::get_nb_samples(&start, OPUS_RATE).ok()? as u64;
                audio_ended = true;
            }
        }
        if audio_ended && page.granule != NO_GRANULE {
            return Some(page.granule.saturating_sub(samples));
        }
    }
    None
}

/// The Opus identification header (RFC 7845 §5.1), the fields a decoder needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpusHead {
    pub channels: u8,
    /// Samples (at 48 kHz) to drop from the start of the decoded stream.
    pub pre_skip: u16,
    /// Q7.8 dB to apply to the output.
    pub output_gain: i16,
    pub mapping_family: u8,
    /// Family 1 (or other) headers that describe one plain mono/stereo stream.
    plain: bool,
}

impl OpusHead {
    /// `None` unless `packet` is an `OpusHead` of a version this reads (major version 0).
    pub(crate) fn parse(packet: &[u8]) -> Option<OpusHead> {
        if packet.len() < 19 || !packet.starts_with(b"OpusHead") || packet[8] >> 4 != 0 {
            return None;
        }
        let channels = packet[9];
        let mapping_family = packet[18];
        // Family 0 is mono or stereo in one stream; a family 1 header with one stream, coupled
        // when stereo, and the identity mapping says the same.
        let plain = match mapping_family {
            0 => matches!(channels, 1 | 2),
            _ => {
                matches!(channels, 1 | 2)
                    && packet.len() >= 21 + usize::from(channels)
                    && packet[19] == 1
                    && packet[20] == channels - 1
                    && packet[21..21 + usize::from(channels)].iter().copied().eq(0..channels)
            }
        };
        Some(OpusHead {
            channels,
            pre_skip: u16::from_le_bytes([packet[10], packet[11]]),
            output_gain: i16::from_le_bytes([packet[16], packet[17]]),
            mapping_family,
            plain,
        })
    }
}

/// Decodes an Ogg Opus file; damage becomes warnings and silence (see the module docs).
pub(crate) fn decode_opus(bytes: &[u8]) -> Result<Decoded, AudioError> {
    let fail = |message: String| AudioError::Decode { format: AudioFormat::Ogg, message };
    let (serial, head) = match ogg_audio(bytes) {
        Some(OggAudio::Opus { serial, head }) => (serial, head),
        _ => return Err(fail("no Opus stream in the first Ogg pages".into())),
    };
    if !head.plain {
        return Err(fail(format!(
            "{} channels in mapping family {}: only mono and stereo are supported",
            head.channels, head.mapping_family
        )));
    }
    let channels = usize::from(head.channels);
    let mut decoder = opus::Decoder::new(
        OPUS_RATE,
        if channels == 1 { opus::Channels::Mono } else { opus::Channels::Stereo },
    )
    .map_err(|e| fail(format!("libopus: {e}")))?;
    if head.output_gain != 0 {
        decoder.set_gain(i32::from(head.output_gain)).map_err(|e| fail(format!("libopus: {e}")))?;
    }

    let mut samples: Vec<i16> = Vec::new();
    let mut buffer = vec![0i16; MAX_PACKET_SAMPLES * channels];
    let mut audio_started = false;
    // A packet begun on an earlier page, the sequence number the next page should have, and
    // whether audio was lost since the last granule position was checked.
    let mut partial: Option<Vec<u8>> = None;
    let mut next_sequence: Option<u32> = None;
    let mut lost = false;
    let mut last_granule = None;
    let mut granule_offset = None;
    let (mut damaged_regions, mut bad_packets, mut silence_frames) = (0usize, 0usize, 0u64);
    let mut warnings = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        if (samples.len() / channels) as u64 >= MAX_FRAMES {
            warnings
                .push(format!("stopped after {} minutes of audio", MAX_FRAMES / u64::from(OPUS_RATE) / 60));
            break;
        }
        let Some(page) = page_at(bytes, offset) else {
            // No intact page here: resume at the next capture pattern.
            match find_capture(bytes, offset + 1) {
                Some(next) => {
                    damaged_regions += 1;
                    lost = true;
                    offset = next;
                }
                None if bytes[offset..].starts_with(b"OggS") => {
                    warnings.push("the file is cut short: decoded up to the last whole page".to_owned());
                    break;
                }
                None => {
                    warnings.push(format!("ignored {} octets after the last page", bytes.len() - offset));
                    break;
                }
            }
            continue;
        };
        offset += page.len;
        if page.serial != serial {
            continue;
        }
        if next_sequence.is_some_and(|expected| expected != page.sequence) {
            lost = true;
        }
        next_sequence = Some(page.sequence.wrapping_add(1));
        // Where silence for lost audio goes: before this page's packets when the loss came
        // earlier, else where the first packet of this page was lost.
        let mut gap_at = lost.then_some(samples.len());
        let mut packets_ended = false;
        for (index, (piece, ends)) in page.pieces().into_iter().enumerate() {
            // Glue a continued packet to its start; drop it when the start was lost.
            let packet: Option<Vec<u8>> = if index == 0 && page.continues_packet() {
                partial.take().map(|mut begun| {
                    begun.extend_from_slice(piece);
                    begun
                })
            } else {
                if partial.take().is_some() {
                    lost = true; // a packet that never got its end
                    gap_at.get_or_insert(samples.len());
                }
                Some(piece.to_vec())
            };
            let Some(packet) = packet else {
                lost = true;
                gap_at.get_or_insert(samples.len());
                continue;
            };
            if !ends {
                partial = Some(packet);
                continue;
            }
            packets_ended = true;
            if !audio_started && (packet.starts_with(b"OpusHead") || packet.starts_with(b"OpusTags")) {
                continue;
            }
            audio_started = true;
            match decoder.decode(&packet, &mut buffer, false) {
                // An empty packet would ask libopus to conceal an unknown length of audio.
                Ok(frames) if !packet.is_empty() => samples.extend_from_slice(&buffer[..frames * channels]),
                _ => {
                    bad_packets += 1;
                    lost = true;
                    gap_at.get_or_insert(samples.len());
                }
            }
        }
        if packets_ended && page.granule != NO_GRANULE && audio_started {
            let decoded = (samples.len() / channels) as u64;
            // A stream cut from a longer one starts above granule position zero (RFC 7845
            // §4.3): count from where it starts.
            let offset = *granule_offset.get_or_insert(page.granule.saturating_sub(decoded));
            let granule = page.granule.saturating_sub(offset);
            if lost && granule > decoded {
                // The packets ending on this page end at its granule position: what is missing
                // was lost.
                let gap = (granule - decoded).min(MAX_GAP_SAMPLES).min(MAX_FRAMES.saturating_sub(decoded));
                let at = gap_at.unwrap_or(samples.len());
                samples.splice(at..at, std::iter::repeat_n(0, gap as usize * channels));
                silence_frames += gap;
            }
            lost = false;
            last_granule = Some(granule);
        }
    }
    if damaged_regions > 0 {
        warnings.push(format!("skipped damaged Ogg pages in {damaged_regions} places"));
    }
    if bad_packets > 0 {
        warnings.push(format!("skipped {bad_packets} Opus packets that could not be decoded"));
    }
    if silence_frames > 0 {
        warnings.push(format!(
            "{:.2} s of lost audio played as silence",
            silence_frames as f64 / f64::from(OPUS_RATE)
        ));
    }
    if !audio_started && samples.is_empty() {
        return Err(fail(if warnings.is_empty() { "no audio packets".into() } else { warnings.join("; ") }));
    }
    // End trimming (RFC 7845 §4.5): the last granule position counts the pre-skip too.
    if let Some(granule) = last_granule {
        let end = usize::try_from(granule).unwrap_or(usize::MAX).saturating_mul(channels);
        samples.truncate(end);
    }
    let skip = (usize::from(head.pre_skip) * channels).min(samples.len());
    samples.drain(..skip);
    Ok(Decoded {
        pcm: Pcm { samples, sample_rate: OPUS_RATE, channels: u16::from(head.channels) },
        format: AudioFormat::Ogg,
        amr_frames: None,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    //! Ogg Opus files built here (libopus's encoder, our own page writer), so the page reader,
    //! trimming and repair are tested without ffmpeg; `tests/ffmpeg_vectors.rs` checks the same
    //! against ffmpeg's files and decoder.

    use super::*;

    const SERIAL: u32 = 0x5eed;

    /// One second of a 440 Hz tone with a 3 Hz tremolo, mono, 48 kHz.
    fn tone(seconds: usize) -> Vec<i16> {
        (0..48_000 * seconds)
            .map(|i| {
                let t = i as f64 / 48_000.0;
                ((t * 440.0 * std::f64::consts::TAU).sin()
                    * (0.6 + 0.4 * (t * 3.0 * std::f64::consts::TAU).sin())
                    * 9_000.0) as i16
            })
            .collect()
    }

    fn page(header_type: u8, granule: u64, sequence: u32, lacing: &[u8], body: &[u8]) -> Vec<u8> {
        let mut page = b"OggS\0".to_vec();
        page.push(header_type);
        page.extend_from_slice(&granule.to_le_bytes());
        page.extend_from_slice(&SERIAL.to_le_bytes());
        page.extend_from_slice(&sequence.to_le_bytes());
        page.extend_from_slice(&[0; 4]);
        page.push(lacing.len() as u8);
        page.extend_from_slice(lacing);
        page.extend_from_slice(body);
        let crc = ogg_crc(&page);
        page[22..26].copy_from_slice(&crc.to_le_bytes());
        page
    }

    /// Pages of an Ogg Opus stream: the two header pages, then the packets laced into pages of
    /// at most `max_segments` segments (small values split packets across pages).
    fn ogg_opus(pre_skip: u16, packets: &[Vec<u8>], samples: usize, max_segments: usize) -> Vec<Vec<u8>> {
        let mut head = b"OpusHead\x01\x01".to_vec();
        head.extend_from_slice(&pre_skip.to_le_bytes());
        head.extend_from_slice(&48_000u32.to_le_bytes());
        head.extend_from_slice(&[0, 0, 0]);
        let tags = b"OpusTags\x05\0\0\0tests\0\0\0\0";
        let mut pages =
            vec![page(0x02, 0, 0, &[head.len() as u8], &head), page(0, 0, 1, &[tags.len() as u8], tags)];
        // (segment, packet index, last segment of its packet)
        let mut segments: Vec<(&[u8], usize, bool)> = Vec::new();
        for (index, packet) in packets.iter().enumerate() {
            let mut rest = &packet[..];
            while rest.len() >= 255 {
                segments.push((&rest[..255], index, false));
                rest = &rest[255..];
            }
            segments.push((rest, index, true));
        }
        let chunks: Vec<_> = segments.chunks(max_segments).collect();
        for (number, chunk) in chunks.iter().enumerate() {
            let continued = u8::from(number > 0 && !chunks[number - 1].last().unwrap().2);
            let eos = if number + 1 == chunks.len() { 0x04 } else { 0 };
            let granule = match chunk.iter().rev().find(|segment| segment.2) {
                // Each packet is 20 ms (the pre-skip is counted in them); the last page's granule
                // trims to the real length.
                Some(&(_, index, _)) if eos == 0 => (index as u64 + 1) * 960,
                Some(_) => u64::from(pre_skip) + samples as u64,
                None => u64::MAX,
            };
            let lacing: Vec<u8> = chunk.iter().map(|segment| segment.0.len() as u8).collect();
            let body: Vec<u8> = chunk.iter().flat_map(|segment| segment.0.iter().copied()).collect();
            pages.push(page(continued | eos, granule, number as u32 + 2, &lacing, &body));
        }
        pages
    }

    fn encode(samples: &[i16], bitrate: i32) -> (u16, Vec<Vec<u8>>) {
        let mut encoder = opus::Encoder::new(48_000, opus::Channels::Mono, opus::Application::Voip).unwrap();
        encoder.set_bitrate(opus::Bitrate::Bits(bitrate)).unwrap();
        let pre_skip = encoder.get_lookahead().unwrap() as u16;
        // Pad so the encoder's delay is flushed out too.
        let mut padded = samples.to_vec();
        padded.resize((samples.len() + usize::from(pre_skip)).div_ceil(960) * 960, 0);
        let packets = padded.chunks(960).map(|frame| encoder.encode_vec(frame, 4000).unwrap()).collect();
        (pre_skip, packets)
    }

    #[test]
    fn built_stream_decodes_to_its_exact_length_and_matches_the_source() {
        let source = tone(2);
        let samples = source.len() - 123; // not a whole number of packets
        for (bitrate, max_segments) in [(24_000, 255), (256_000, 2)] {
            let (pre_skip, packets) = encode(&source[..samples], bitrate);
            let file = ogg_opus(pre_skip, &packets, samples, max_segments).concat();
            assert!(packets.iter().any(|p| p.len() > 255 * 2) == (max_segments == 2), "split packets");
            let decoded = decode_opus(&file).unwrap();
            assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
            assert_eq!(decoded.pcm.samples.len(), samples, "pre-skip and end trimmed");
            // The pre-skip aligns the output with the input: the tone comes back.
            let skip = 4_800;
            let (ours, theirs) = (&decoded.pcm.samples[skip..samples - skip], &source[skip..samples - skip]);
            let noise: f64 =
                ours.iter().zip(theirs).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum();
            let signal: f64 = theirs.iter().map(|&s| f64::from(s).powi(2)).sum();
            assert!(10.0 * (signal / noise).log10() > 10.0, "{bitrate}: the tone, in place");
            let probed = crate::audio::probe_duration(&file, None).unwrap();
            assert!((probed - samples as f64 / 48_000.0).abs() < 1e-9);
        }
    }

    #[test]
    fn lost_pages_and_refused_packets_become_silence_in_place() {
        let source = tone(2);
        let (pre_skip, mut packets) = encode(&source, 24_000);
        // Packet 30 is one octet of a code-3 TOC without its frame count: libopus refuses it.
        packets[30] = vec![0x03];
        let pages = ogg_opus(pre_skip, &packets, source.len(), 20);
        let clean = {
            let (pre_skip, packets) = encode(&source, 24_000);
            decode_opus(&ogg_opus(pre_skip, &packets, source.len(), 20).concat()).unwrap().pcm.samples
        };
        // Page 4 (audio packets 40..60) left out entirely: the sequence numbers jump. Also with
        // every granule position shifted, as in a stream cut from a longer one.
        for shift in [0u64, 10_000_000] {
            let mut file: Vec<u8> = Vec::new();
            for (index, page) in pages.iter().enumerate() {
                let mut page = page.clone();
                if index >= 2 {
                    let granule = u64::from_le_bytes(page[6..14].try_into().unwrap()) + shift;
                    page[6..14].copy_from_slice(&granule.to_le_bytes());
                    let crc = ogg_crc(&page);
                    page[22..26].copy_from_slice(&crc.to_le_bytes());
                }
                if index != 4 {
                    file.extend_from_slice(&page);
                }
            }
            let decoded = decode_opus(&file).unwrap();
            assert_eq!(decoded.pcm.samples.len(), source.len(), "shift {shift}: the timeline is kept");
            assert_eq!(opus_granule_start(&file, SERIAL), Some(shift));
            let probed = crate::audio::probe_duration(&file, None).unwrap();
            assert!((probed - source.len() as f64 / 48_000.0).abs() < 1e-9, "shift {shift}: probe {probed}");
            assert!(decoded.warnings.iter().any(|w| w.contains("1 Opus packets")), "{:?}", decoded.warnings);
            assert!(
                decoded.warnings.iter().any(|w| w.contains("0.42 s of lost audio")),
                "{:?}",
                decoded.warnings
            );
            // Packet 30 and packets 40..60, minus the pre-skip, are silent; everything before
            // is as in the clean stream.
            let at = |packet: usize| packet * 960 - usize::from(pre_skip);
            assert!(decoded.pcm.samples[at(30)..at(31)].iter().all(|&s| s == 0));
            assert!(decoded.pcm.samples[at(40)..at(60)].iter().all(|&s| s == 0));
            assert_eq!(decoded.pcm.samples[..at(30)], clean[..at(30)]);
            assert!(clean[at(40)..at(60)].iter().any(|&s| s != 0));
        }
    }

    #[test]
    fn headers_that_are_not_plain_mono_or_stereo_opus_are_refused() {
        assert_eq!(OpusHead::parse(b"OpusHead"), None, "too short");
        let mut head = b"OpusHead\x01\x06\x38\x01\x80\xbb\0\0\0\0\x01\x04\x02\0\x04\x01\x02\x03\x05".to_vec();
        let surround = OpusHead::parse(&head).unwrap();
        assert!(!surround.plain);
        // Family 1, one coupled stream, identity mapping: plain stereo.
        head[9] = 2;
        head.truncate(19);
        head.extend_from_slice(&[1, 1, 0, 1]);
        assert!(OpusHead::parse(&head).unwrap().plain);
        head[8] = 0x10; // major version 1
        assert_eq!(OpusHead::parse(&head), None);
        let file = page(0x02, 0, 0, &[head.len() as u8], &head);
        assert!(ogg_audio(&file).is_none());
        assert!(decode_opus(b"OggS").is_err());
    }

    #[test]
    fn mutated_pages_with_good_checksums_never_panic_and_stay_bounded() {
        let source = tone(1);
        let (pre_skip, packets) = encode(&source, 24_000);
        let pages = ogg_opus(pre_skip, &packets, source.len(), 10);
        let mut seed = 0x2545_f491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..300 {
            let mut file = Vec::new();
            for (index, page) in pages.iter().enumerate() {
                let mut page = page.clone();
                if index >= 2 && next() % 3 == 0 {
                    // Any octet after the capture pattern, the checksum made right again, so
                    // the damage reaches the packet splitter, the granule logic and libopus.
                    let at = 5 + next() as usize % (page.len() - 5);
                    page[at] = next() as u8;
                    if !(22..26).contains(&at) {
                        let crc = ogg_crc(&page);
                        page[22..26].copy_from_slice(&crc.to_le_bytes());
                    }
                }
                file.extend_from_slice(&page);
            }
            if let Ok(decoded) = decode_opus(&file) {
                let frames = decoded.pcm.samples.len() / usize::from(decoded.pcm.channels);
                assert!(
                    frames as u64 <= MAX_FRAMES + 255 * MAX_PACKET_SAMPLES as u64,
                    "round {round}: {frames}"
                );
            }
            let _ = crate::audio::probe_duration(&file, None);
        }
    }
}
