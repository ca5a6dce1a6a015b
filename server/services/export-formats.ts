// The export formats and what each one is for: plain data (no database import), shared by the exporter and forms.

export const EXPORT_FORMATS = ["trl-preference", "trl-preference-chat", "trl-sft", "trl-sft-chat", "rankings", "hh-rlhf"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_FORMAT_HELP: Record<ExportFormat, string> = {
  "trl-preference": '{"prompt","chosen","rejected"}: TRL reward/DPO trainers, OpenRLHF',
  "trl-preference-chat": "the same with chat messages: TRL conversational datasets",
  "trl-sft": '{"prompt","completion"}: TRL SFTTrainer',
  "trl-sft-chat": '{"messages":[…]}: TRL SFTTrainer, chat form',
  rankings: "full fidelity: completions and their models, ranking groups, annotator, time, flags, Likert ratings, agreement",
  "hh-rlhf": '{"chosen","rejected"} Human/Assistant transcripts (Anthropic HH-RLHF)',
};
