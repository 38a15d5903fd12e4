//! `auto`, the default on Linux: the Secret Service where the session bus
//! has one, the kernel keyring where there is no bus or no Secret Service.
//! A Secret Service that does not answer in time is an error, not an
//! absence: its tokens are still in it.
//!
//! A desktop keeps its tokens where its keyring manager shows them; an SSH
//! session, a container or WSL without a desktop still keeps them, with no
//! setup. A `get` that finds nothing in the Secret Service also looks in the
//! kernel, so a token kept while headless is still found.

use std::cell::RefCell;
use std::time::Duration;

use super::kernel::KernelStore;
use super::secret_service::{SecretServiceStore, session_bus_configured};
use super::{Store, StoreError};
use crate::git::record::StoredCredential;
use crate::report::note;

pub struct AutoStore {
    secret_service: SecretServiceStore,
    kernel: KernelStore,
    /// Why the Secret Service could not be used, once seen: asked once
    /// per process, not once per call.
    absent: RefCell<Option<StoreError>>,
}

impl AutoStore {
    pub fn new(timeout: Duration) -> AutoStore {
        // With no session bus at all the kernel answers, and asking the
        // Secret Service would only cost time.
        let absent = (!session_bus_configured()).then_some(StoreError::NoSessionBus);
        AutoStore {
            secret_service: SecretServiceStore::new(timeout),
            kernel: KernelStore::new(),
            absent: RefCell::new(absent),
        }
    }

    /// The Secret Service's answer, or `None` when it is not there, after
    /// which the kernel answers instead.
    fn secret_service<T>(
        &self,
        call: impl FnOnce(&SecretServiceStore) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        if self.absent.borrow().is_some() {
            return None;
        }
        match call(&self.secret_service) {
            Err(error) if error.means_absent() => {
                *self.absent.borrow_mut() = Some(error);
                None
            }
            answer => Some(answer),
        }
    }

    /// A kernel failure, named together with the Secret Service's.
    fn neither(&self, kernel: StoreError) -> StoreError {
        match self.absent.borrow().clone() {
            Some(secret_service) => StoreError::NoStoreAtAll {
                secret_service: Box::new(secret_service),
                kernel: Box::new(kernel),
            },
            None => kernel,
        }
    }
}

impl Store for AutoStore {
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        match self.secret_service(|store| store.list(protocol, host)) {
            Some(Ok(found)) if !found.is_empty() => Ok(found),
            // Nothing on the desktop: perhaps kept while headless. A kernel
            // that refuses is no reason to fail a Secret Service answer.
            Some(Ok(_)) => Ok(self.kernel.list(protocol, host).unwrap_or_default()),
            Some(Err(error)) => Err(error),
            None => self
                .kernel
                .list(protocol, host)
                .map_err(|kernel| self.neither(kernel)),
        }
    }

    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        match self.secret_service(|store| store.save(credential)) {
            Some(Ok(())) => {
                // A copy kept while headless would only shadow nothing and
                // go stale: the Secret Service holds it now.
                let _ = self.kernel.delete(credential);
                Ok(())
            }
            Some(Err(error)) => Err(error),
            None => {
                let first = self.kernel.is_empty().unwrap_or(false);
                self.kernel
                    .save(credential)
                    .map_err(|kernel| self.neither(kernel))?;
                if first {
                    note(format!(
                        "no Secret Service here, so credentials are kept in {}",
                        self.kernel.describe()
                    ));
                }
                Ok(())
            }
        }
    }

    fn delete(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let in_kernel = self.kernel.delete(credential);
        match self.secret_service(|store| store.delete(credential)) {
            Some(outcome) => outcome,
            None => in_kernel.map_err(|kernel| self.neither(kernel)),
        }
    }

    fn describe(&self) -> String {
        match self.secret_service(SecretServiceStore::answers) {
            Some(Ok(_)) => self.secret_service.describe(),
            Some(Err(error)) => format!("{} ({error})", self.secret_service.describe()),
            None => self.kernel.describe(),
        }
    }
}
