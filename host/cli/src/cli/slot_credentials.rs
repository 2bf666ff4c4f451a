//! The credentials of a run, slot by slot: what the config file and the
//! variables give (credentials never come from arguments), else the
//! connection `saas-host connect` stored, typed by the slot's declared
//! kinds.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow, bail};
use saas_runtime::latest::SlotCredential;
use saas_runtime::settings::{self as declared, env_name};

use super::settings::Ready;

impl Ready {
    /// The fields the config file and the variables give for the slot at
    /// `index` of the connector's declarations.
    pub fn given_fields(&self, index: usize) -> BTreeMap<String, String> {
        let slot = &self.connector.info().credential_slots[index];
        let mut fields = self
            .file
            .contents
            .credentials
            .get(&slot.name)
            .cloned()
            .unwrap_or_default();
        if index == 0
            && let Some(flat) = self.file.contents.credentials.get("")
        {
            fields.extend(flat.clone());
        }
        if self.file.read_env {
            let mut names = declared::field_names(slot);
            names.push(("auth-kind".into(), "kind".into()));
            for (name, _) in names {
                if let Ok(v) = std::env::var(env_name(&slot.name, &name))
                    && !v.is_empty()
                {
                    let name = if name == "auth-kind" {
                        "kind".into()
                    } else {
                        name
                    };
                    fields.insert(name, v);
                }
            }
        }
        fields
    }

    /// The fields of the slot at `index`: those given, or the stored
    /// connection's when only its client (or nothing) is given. A stored
    /// connection made with another client than the one given is an error.
    fn fields_of(&self, index: usize) -> Result<BTreeMap<String, String>> {
        let slot = &self.connector.info().credential_slots[index];
        let given = self.given_fields(index);
        let explicit = given
            .keys()
            .any(|k| !super::stored::CLIENT_FIELDS.contains(&k.as_str()));
        if explicit {
            return Ok(given);
        }
        let Some((stored, place)) = self.stored.take(&slot.name)? else {
            return Ok(given);
        };
        if let Some(id) = given.get("client-id")
            && stored.get("client-id") != Some(id)
        {
            bail!(
                "the stored connection of {0} was made with another OAuth client than the one \
                 given ({1}): run `saas-host connect` again, or stop giving that client",
                slot.name,
                env_name(&slot.name, "client-id")
            );
        }
        tracing::info!(
            "using the stored connection of the slot {} ({place})",
            slot.name
        );
        Ok(stored)
    }

    /// The credential of every slot given in the file or the variables,
    /// or stored by `saas-host connect`; a required slot with nothing
    /// given is an error naming where to put it.
    pub fn credentials(&self) -> Result<Vec<SlotCredential>> {
        let info = self.connector.info();
        let mut out = Vec::new();
        for (i, slot) in info.credential_slots.iter().enumerate() {
            let fields = self.fields_of(i)?;
            if fields.is_empty() {
                if slot.required {
                    let connect = if slot.consent.is_some() {
                        ", or run `saas-host connect`"
                    } else {
                        ""
                    };
                    bail!(
                        "no credentials for the slot {0}: set them in the config file's [credentials.{0}] \
                         table or in {1}_* variables{connect} ({2})",
                        slot.name,
                        env_name(&slot.name, "").trim_end_matches('_'),
                        slot.description
                    );
                }
                continue;
            }
            let credential = declared::credential(slot, &fields).map_err(|e| anyhow!(e))?;
            out.push(SlotCredential {
                slot: slot.name.clone(),
                credential,
            });
        }
        Ok(out)
    }
}
