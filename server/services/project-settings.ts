// A project's settings and their defaults: plain data with no database import, so forms in the browser share it.

export interface ProjectSettings {
  name: string;
  guidelines: string;
  k: number;
  overlap: number;
  allowTies: boolean;
  flags: string[];
  likertScale: number;
}

export const DEFAULT_PROJECT_SETTINGS: Omit<ProjectSettings, "name"> = {
  guidelines: "",
  k: 4,
  overlap: 1,
  allowTies: false,
  flags: ["harmful", "untruthful", "off-topic"],
  likertScale: 7,
};
