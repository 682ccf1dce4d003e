import dagster as dg

# One partition per chat file; the key is the file's absolute path. Added by the folder sensor
# or by `history_add_files_job` (paths given at launch).
chat_files_partitions = dg.DynamicPartitionsDefinition(name="chat_files")
