//! Deinterlacing (cf. `avpicture_deinterlace`).
