"""The build lifecycle: scan the inbox, extract each fiscal year (in forked workers, under the build
lock), leave out and record what cannot load, and publish an audited build by atomic rename.
`pipeline.run_build` is one `selfeval build`; the Dagster assets in `orchestration/defs/` call the
same pieces."""
