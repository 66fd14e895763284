//! PNG text metadata: what screenshot tools embed and the `metadata` tier
//! of matching reads.

#[path = "fixtures/imaging/gen.rs"]
mod gen;

use std::collections::BTreeMap;

use shotkeeper_core::imaging::{self, ImageLimits};

fn pairs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn round_trip_of_text_ztxt_and_itxt() {
    let long = "LaunchBrightly ".repeat(200); // over 1 KiB: written as zTXt
    let want = pairs(&[
        ("name", "John"),
        ("surname", "Doe"),
        ("PoweredBy", "LaunchBrightly"),
        ("Comment", &long),
        ("Titel", "Übersicht – 概要"), // not Latin-1: written as iTXt
    ]);
    let original = gen::png(40, 30);
    let tagged = imaging::write_png_text(&original, &want).expect("write");

    let types = gen::chunk_types(&tagged);
    assert_eq!(types.first().map(String::as_str), Some("IHDR"));
    assert_eq!(types.last().map(String::as_str), Some("IEND"));
    for t in ["tEXt", "zTXt", "iTXt"] {
        assert!(types.iter().any(|x| x == t), "{t} missing in {types:?}");
    }
    assert_eq!(imaging::png_text_chunks(&tagged).expect("read"), want);

    // The pixels are untouched and analyse reports the same metadata.
    let a = imaging::analyse(&tagged, &ImageLimits::default());
    assert_eq!(a.metadata, want);
    assert_eq!(
        a.phash,
        imaging::analyse(&original, &ImageLimits::default()).phash
    );
}

#[test]
fn chunks_written_by_the_png_encoder_are_read() {
    // Compressed iTXt, zTXt and tEXt from another writer, some after IDAT.
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 4, 4);
        enc.set_color(png::ColorType::Rgb);
        enc.add_text_chunk("Software".into(), "Shotkeeper test".into())
            .expect("tEXt");
        enc.add_ztxt_chunk("zkey".into(), "compressed latin-1 é".into())
            .expect("zTXt");
        let mut w = enc.write_header().expect("header");
        w.write_image_data(&[128; 48]).expect("data");
        let mut itxt = png::text_metadata::ITXtChunk::new("ikey", "compressed ✓ utf-8");
        itxt.compressed = true;
        w.write_text_chunk(&itxt).expect("iTXt after IDAT");
        w.finish().expect("finish");
    }
    let got = imaging::png_text_chunks(&out).expect("read");
    assert_eq!(
        got,
        pairs(&[
            ("Software", "Shotkeeper test"),
            ("zkey", "compressed latin-1 é"),
            ("ikey", "compressed ✓ utf-8"),
        ])
    );
}

#[test]
fn existing_keys_are_replaced_and_others_kept() {
    let first = imaging::write_png_text(&gen::png(8, 8), &pairs(&[("a", "1"), ("b", "2")]));
    let second = imaging::write_png_text(&first.expect("first"), &pairs(&[("b", "3")]));
    let got = imaging::png_text_chunks(&second.expect("second")).expect("read");
    assert_eq!(got, pairs(&[("a", "1"), ("b", "3")]));
}

#[test]
fn ztxt_bomb_is_skipped_not_inflated() {
    // 8 MiB of one letter deflates to ~8 KiB; the 1 MiB per-value cap skips it.
    let bomb = png::text_metadata::ZTXtChunk::new("bomb", "a".repeat(8 * 1024 * 1024));
    let mut chunk = Vec::new();
    png::text_metadata::EncodableTextChunk::encode(&bomb, &mut chunk).expect("encode");
    let mut bytes = gen::png(8, 8);
    let iend = bytes.len() - 12;
    bytes.splice(iend..iend, chunk);
    let got = imaging::png_text_chunks(&bytes).expect("read");
    assert!(!got.contains_key("bomb"));
}

#[test]
fn metadata_survives_damaged_pixels() {
    let tagged = imaging::write_png_text(&gen::png(64, 64), &pairs(&[("id", "shot-7")]));
    let tagged = tagged.expect("write");
    let cut = &tagged[..tagged.len() - 40];
    let a = imaging::analyse(cut, &ImageLimits::default());
    assert!(a.problem.is_some());
    assert_eq!(a.metadata, pairs(&[("id", "shot-7")]));
}

#[test]
fn non_png_input() {
    assert!(imaging::png_text_chunks(b"GIF89a....").is_err());
    assert!(imaging::write_png_text(b"", &BTreeMap::new()).is_err());
    let truncated = gen::png(8, 8);
    let truncated = &truncated[..truncated.len() - 6];
    assert!(imaging::write_png_text(truncated, &pairs(&[("k", "v")])).is_err());
}
