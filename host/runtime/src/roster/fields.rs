//! A record's own optional strings in one allocation: a user's id, account
//! id, email, names. Five `Option<String>`s cost 120 bytes inline and five
//! allocations; these cost 40 bytes inline and one.

/// `N` optional strings, one after another in one allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fields<const N: usize> {
    text: Box<str>,
    ends: [u32; N],
    present: u8,
}

impl<const N: usize> Fields<N> {
    /// The fields, in order.
    pub(crate) fn new(fields: [Option<&str>; N]) -> Self {
        const { assert!(N <= 8, "presence is one byte") };
        let mut text = String::with_capacity(fields.iter().flatten().map(|f| f.len()).sum());
        let mut ends = [0u32; N];
        let mut present = 0u8;
        for (i, f) in fields.iter().enumerate() {
            if let Some(f) = f {
                text.push_str(f);
                present |= 1 << i;
            }
            ends[i] = u32::try_from(text.len()).expect("a record's strings fit in 4 GiB");
        }
        Fields {
            text: text.into_boxed_str(),
            ends,
            present,
        }
    }

    /// Field `i`, when present.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        if self.present & (1 << i) == 0 {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.text[start..self.ends[i] as usize])
    }

    /// Field `i`, owned, when present.
    pub(crate) fn owned(&self, i: usize) -> Option<String> {
        self.get(i).map(str::to_string)
    }

    /// The fields with field `i` replaced.
    pub(crate) fn with(&self, i: usize, value: Option<&str>) -> Self {
        let mut all: [Option<&str>; N] = std::array::from_fn(|k| self.get(k));
        all[i] = value;
        Fields::new(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_and_empty_fields_differ_and_every_field_comes_back() {
        let f = Fields::new([Some("{id}"), None, Some(""), Some("Ünïcode"), None]);
        let got: Vec<_> = (0..5).map(|i| f.get(i)).collect();
        assert_eq!(got, [Some("{id}"), None, Some(""), Some("Ünïcode"), None]);
        let g = f.with(1, Some("acc"));
        assert_eq!(g.get(1), Some("acc"));
        assert_eq!(g.get(3), Some("Ünïcode"));
        assert_eq!(f.with(0, None).get(0), None);
    }
}
